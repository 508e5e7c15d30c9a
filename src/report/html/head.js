document.documentElement.classList.add('js');
(function(){
  var queue=[];
  function report(m){var e=document.getElementById('js-errors');if(!e){queue.push(m);return;}e.hidden=false;e.textContent+=m+'\n';}
  window.sadaFlushErrors=function(){var q=queue;queue=[];q.forEach(report);};
  window.addEventListener('error',function(e){report('error: '+e.message+' ('+(e.lineno||0)+':'+(e.colno||0)+')');});
  window.addEventListener('unhandledrejection',function(e){report('unhandled rejection: '+e.reason);});
})();
