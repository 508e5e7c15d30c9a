//! The one loop of the streaming commands (`sada sign`, `sada extract`):
//! records read in batches, turned into output records on all cores, and
//! written in input order as each batch is done, so that only a few batches
//! are ever in memory and a reader of standard output gets lines while the
//! input is still being read.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::analyze::{Scratch, for_each_batch, with_scratch};
use crate::config::Config;
use crate::error::Error;
use crate::model::{Record, Stage, StatusKind, Streamed, Timings};
use crate::progress::Progress;
use crate::read;

/// Reads `inputs`, makes each record into a `T` with `make` (on the pool's
/// workers, with the thread's [`Scratch`]), and hands every `T` to `write`
/// in input order, after `start`. `make` also returns the record's status
/// and bytes of text, which [`Streamed`] counts.
///
/// # Errors
/// As [`super::scan`] for the inputs; [`Error::Io`] naming `--out` (with
/// `what`) when `start`, `write` or the final flush fail — a closed pipe
/// among them: the caller decides whether that is a failure.
pub(super) fn stream<T: Send, W: Write + Send>(
    inputs: &[PathBuf],
    config: &Config,
    what: &'static str,
    out: &mut W,
    start: impl FnOnce(&mut W) -> std::io::Result<()> + Send,
    make: impl Fn(Record, &mut Scratch) -> (T, StatusKind, u64) + Sync + Send,
    mut write: impl FnMut(&mut W, &T) -> std::io::Result<()> + Send,
) -> Result<Streamed, Error> {
    config.validate()?;
    let mut discovery = read::discover(inputs)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    let io = |source| Error::Io { what, path: PathBuf::from("--out"), source };
    pool.install(|| {
        let progress = Progress::new(config.progress, config.observer.clone());
        let bar = progress.bytes(discovery.total_bytes());
        start(out).map_err(io)?;
        let mut stats = Streamed::default();
        let mut timings = Timings::default();
        let mut result = Ok(());
        let fields = &config.fields;
        discovery.skipped_records = for_each_batch(
            &discovery.files,
            fields,
            &mut timings,
            &|| config.cancelled(),
            |batch, timings, consumed| {
                let made: Vec<(T, StatusKind, u64)> = timings.run(Stage::Analyze, || {
                    batch.into_par_iter().map(|raw| with_scratch(|s| make(raw.parse(), s))).collect()
                });
                let t = Instant::now();
                for (x, status, bytes) in &made {
                    stats.count(*status, *bytes);
                    if result.is_ok() {
                        result = write(out, x);
                    }
                }
                timings.add(Stage::Report, t.elapsed().as_secs_f64());
                bar.set_position(consumed);
                bar.set_message(format!("{} records", stats.records));
            },
        );
        bar.finish_and_clear();
        config.go_on()?;
        result.and_then(|()| out.flush()).map_err(io)?;
        stats.timings = timings;
        stats.discovery = discovery;
        Ok(stats)
    })
}
