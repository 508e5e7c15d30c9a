(function(){
  'use strict';
  var FOLD=[[/[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF\u00AD]/g,''],
    [/[\u0622\u0623\u0625\u0671]/g,'\u0627'],[/[\u0649\u0626\u06CC]/g,'\u064A'],[/\u0629/g,'\u0647'],[/\u0624/g,'\u0648'],[/\u06A9/g,'\u0643']];
  function fold(s){s=s.toLowerCase();FOLD.forEach(function(r){s=s.replace(r[0],r[1]);});return s;}
  var lists=[].map.call(document.querySelectorAll('[data-list]'),function(el){
    var items=[].filter.call(el.children,function(c){return c.classList.contains('item');});
    return {el:el,items:items,shown:items,page:0,size:+el.getAttribute('data-page')||20,
      pager:document.querySelector('.pager[data-for="'+el.getAttribute('data-list')+'"]')};
  });
  var q=document.getElementById('q'),count=document.getElementById('qcount'),terms=[];
  function text(it){if(it.sadaText===undefined)it.sadaText=fold(it.textContent);return it.sadaText;}
  function matches(it){return terms.every(function(t){return text(it).indexOf(t)>=0;});}
  function render(l){
    var from=l.page*l.size,to=Math.min(from+l.size,l.shown.length);
    l.items.forEach(function(it){it.classList.remove('on');});
    for(var i=from;i<to;i++)l.shown[i].classList.add('on');
    if(!l.pager)return;
    l.pager.hidden=l.shown.length<=l.size;
    l.pager.querySelector('.pos').textContent=l.shown.length?(from+1)+'\u2013'+to+' of '+l.shown.length:'none';
    l.pager.querySelector('[data-act=prev]').disabled=l.page===0;
    l.pager.querySelector('[data-act=next]').disabled=to>=l.shown.length;
  }
  function filter(){
    terms=fold(q.value).split(/\s+/).filter(Boolean);
    var n=0;
    lists.forEach(function(l){l.shown=terms.length?l.items.filter(matches):l.items;l.page=0;n+=l.shown.length;render(l);});
    count.textContent=terms.length?n+' matching':'';
  }
  function reveal(){
    var id=decodeURIComponent(location.hash.slice(1)),t=id&&document.getElementById(id);
    if(!t)return;
    lists.forEach(function(l){
      if(l.items.indexOf(t)<0)return;
      if(l.shown.indexOf(t)<0){q.value='';filter();}
      l.page=Math.floor(l.shown.indexOf(t)/l.size);render(l);
      for(var p=t.parentNode;p;p=p.parentNode)if(p.tagName==='DETAILS')p.open=true;
      t.scrollIntoView();
    });
  }
  var timer;
  q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(filter,150);});
  lists.forEach(function(l){
    if(!l.pager)return;
    l.pager.addEventListener('click',function(e){
      var a=e.target.getAttribute('data-act');if(!a)return;
      l.page+=a==='next'?1:-1;render(l);l.el.scrollIntoView();
    });
  });
  document.addEventListener('click',function(e){
    var a=e.target.closest('[data-q]');if(!a)return;
    e.preventDefault();q.value=a.getAttribute('data-q');filter();
    document.getElementById('statements').scrollIntoView();
  });
  window.addEventListener('hashchange',reveal);
  filter();reveal();
  window.sadaFlushErrors();
})();
