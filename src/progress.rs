//! Progress bars on stderr for the long stages.
//!
//! Shown only when asked for (not `--quiet`) and stderr is a terminal, so
//! logs and pipes stay clean. A hidden bar costs nothing to update.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Makes progress bars, or hidden ones when progress is off.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress on stderr if `wanted` and stderr is a terminal.
    pub fn new(wanted: bool) -> Progress {
        Progress { enabled: wanted && std::io::stderr().is_terminal() }
    }

    /// A bar over `total` input bytes, showing records read and the rate.
    pub fn bytes(&self, total: u64) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
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
    }

    /// A bar over `total` items of a stage.
    pub fn items(&self, stage: &str, total: u64) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>9} [{bar:30}] {human_pos}/{human_len} {per_sec} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(stage.to_string());
        bar
    }

    /// A spinner for a stage without a known size.
    pub fn spinner(&self, stage: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("{prefix:>9} {spinner} {elapsed} {msg}").expect("valid template"));
        bar.set_prefix(stage.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}
