//! Progress of the long stages: bars on stderr, and [`Step`]s for an
//! [`Observer`] (the Python package's notebook bars).
//!
//! Bars are shown only when asked for (not `--quiet`) and stderr is a
//! terminal, so logs and pipes stay clean; an observer hears every step
//! whatever stderr is. A hidden bar with no observer costs nothing to update.

use std::fmt;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One step of a stage, as an [`Observer`] hears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The stage: `read`, `index`, `verify`, `cluster`, `match`, `align`,
    /// `group`, `locate`.
    pub stage: &'static str,
    /// Work done: bytes read for `read`, else 0 (the other stages report
    /// only their start, messages and end).
    pub done: u64,
    /// Work to do, where known (`read`: the inputs' bytes).
    pub total: Option<u64>,
    /// What the stage says (`"1204 records"`, `"3100 passages"`), or empty.
    pub message: String,
    /// The stage is over.
    pub finished: bool,
}

/// Hears every [`Step`] of a scan, from the scan's own thread: it should
/// return quickly (store the step, not draw it).
#[derive(Clone)]
pub struct Observer(pub Arc<dyn Fn(Step) + Send + Sync>);

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// Makes progress bars, or hidden ones when progress is off.
#[derive(Clone, Debug)]
pub struct Progress {
    enabled: bool,
    observer: Option<Observer>,
}

/// A stage's bar on stderr, and its steps for the observer.
pub struct Bar {
    bar: ProgressBar,
    stage: &'static str,
    total: Option<u64>,
    observer: Option<Observer>,
}

impl Bar {
    fn tell(&self, done: u64, message: String, finished: bool) {
        if let Some(o) = &self.observer {
            (o.0)(Step { stage: self.stage, done, total: self.total, message, finished });
        }
    }

    /// Work done so far.
    pub fn set_position(&self, done: u64) {
        self.bar.set_position(done);
        self.tell(done, String::new(), false);
    }

    /// What the stage says now.
    pub fn set_message(&self, message: String) {
        self.tell(self.bar.position(), message.clone(), false);
        self.bar.set_message(message);
    }

    /// The stage is over: the bar goes.
    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
        self.tell(self.bar.position(), String::new(), true);
    }
}

impl Progress {
    /// Progress on stderr if `wanted` and stderr is a terminal; every step
    /// to `observer`, if any.
    pub fn new(wanted: bool, observer: Option<Observer>) -> Progress {
        Progress { enabled: wanted && std::io::stderr().is_terminal(), observer }
    }

    fn bar(&self, stage: &'static str, total: Option<u64>, style: impl FnOnce() -> ProgressBar) -> Bar {
        let bar = if self.enabled { style() } else { ProgressBar::hidden() };
        let bar = Bar { bar, stage, total, observer: self.observer.clone() };
        bar.tell(0, String::new(), false);
        bar
    }

    /// A bar over `total` input bytes, showing records read and the rate.
    pub fn bytes(&self, total: u64) -> Bar {
        self.bar("read", Some(total), || {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>9} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} · {msg} · eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix("read");
            bar
        })
    }

    /// A spinner for a stage without a known size.
    pub fn spinner(&self, stage: &'static str) -> Bar {
        self.bar(stage, None, || {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>9} {spinner} {elapsed} {msg}").expect("valid template"),
            );
            bar.set_prefix(stage.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn an_observer_hears_a_stage_from_start_to_end() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&heard);
        let observer = Observer(Arc::new(move |s: Step| sink.lock().unwrap().push(s)));
        let progress = Progress::new(false, Some(observer));
        let bar = progress.bytes(100);
        bar.set_position(40);
        bar.set_message("2 records".to_string());
        bar.finish_and_clear();
        let heard = heard.lock().unwrap();
        let got: Vec<(u64, &str, bool)> = heard.iter().map(|s| (s.done, s.message.as_str(), s.finished)).collect();
        assert_eq!(got, vec![(0, "", false), (40, "", false), (40, "2 records", false), (40, "", true)]);
        assert!(heard.iter().all(|s| s.stage == "read" && s.total == Some(100)));
    }
}
