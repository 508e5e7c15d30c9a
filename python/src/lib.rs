//! `sada._sada`: the compiled half of the Python package. Each function is a
//! thin call into the `sada` library (the one implementation), with the GIL
//! released while Rust works; `sada/__init__.py` builds the Python API on
//! them (dataclasses, Arrow tables, inputs from dicts and tables).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use clap::Parser;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use sada::cli::{Cli, Command};
use sada::progress::{Observer, Step};
use sada::{Config, Error};

/// The binary's allocator for Rust's allocations here too (Python's own
/// objects keep Python's): with glibc's malloc, signing from Python took
/// half again the command line's CPU per megabyte.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How often a running scan looks for Ctrl-C.
const POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// The folded words of `text` with their byte spans in it (UTF-8 offsets),
/// as the scan tokenizes it: `[(word, start, end), ...]`.
#[pyfunction]
fn normalize(py: Python<'_>, text: &str) -> Vec<(String, usize, usize)> {
    py.detach(|| {
        let mut analyzer = sada::normalize::Analyzer::new();
        let mut out = Vec::new();
        analyzer
            .for_each_word(text, |span, folded| out.push((folded.to_string(), span.start as usize, span.end as usize)));
        out
    })
}

/// The signatures of `texts` as `sada sign` computes them: little-endian
/// `uint32` lanes, one row per text, in one `bytes`; a text without words
/// gets a row of `0xFFFFFFFF`. Returns `(bytes, lanes, tokens per text)`.
#[pyfunction]
#[pyo3(signature = (texts, num_perm, ngram, method, seed))]
fn signatures<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyString>>,
    num_perm: usize,
    ngram: usize,
    method: &str,
    seed: Option<u64>,
) -> PyResult<(Bound<'py, PyBytes>, usize, Vec<u32>)> {
    let method = <sada::sign::Method as clap::ValueEnum>::from_str(method, true)
        .map_err(|_| PyValueError::new_err(format!("invalid method '{method}': expected minhash, oph or simhash")))?;
    let mut config = Config { method, num_perm, ..Config::default() };
    config.shingle.n = ngram;
    if let Some(seed) = seed {
        config.seed = seed;
    }
    config.validate().map_err(|e| PyValueError::new_err(e.to_string()))?;
    let lanes = if method == sada::sign::Method::Simhash { 2 } else { num_perm };
    // Borrowed: CPython keeps each string's UTF-8 form, so the texts are
    // not copied again into Rust strings.
    let refs: Vec<&str> = texts.iter().map(|t| t.to_str()).collect::<PyResult<_>>()?;
    let (bytes, tokens) = py.detach(|| {
        let signed = sada::pipeline::sign_texts(&refs, &config);
        let mut bytes = Vec::with_capacity(4 * lanes * signed.len());
        let mut tokens = Vec::with_capacity(signed.len());
        for (n, sig) in signed {
            tokens.push(n);
            match sig {
                Some(l) => l.iter().for_each(|x| bytes.extend_from_slice(&x.to_le_bytes())),
                None => bytes.resize(bytes.len() + 4 * lanes, 0xFF),
            }
        }
        (bytes, tokens)
    });
    Ok((PyBytes::new(py, &bytes), lanes, tokens))
}

/// `sada scan ARGS...`: parsed as the command line parses them (the same
/// names, checks and messages), run, and the outputs written to `--out`.
/// Ctrl-C stops the scan at its next batch of records or stage (its
/// staging directory is removed, `--out` never written) and raises
/// `KeyboardInterrupt`; a second Ctrl-C raises at once and leaves the scan
/// to stop on its own. With `progress`, every progress step is handed to it
/// as `progress(stage, done, total, message, finished)` (`total` may be
/// `None`), from this thread, between polls.
#[pyfunction]
#[pyo3(signature = (args, progress=None))]
fn scan(py: Python<'_>, args: Vec<String>, progress: Option<Py<PyAny>>) -> PyResult<()> {
    let argv = ["sada".to_string(), "scan".to_string()].into_iter().chain(args);
    let cli = Cli::try_parse_from(argv).map_err(|e| PyValueError::new_err(e.render().to_string()))?;
    let Command::Scan(args) = cli.command else { unreachable!("parsed as `scan`") };
    if args.hosts.is_some() || args.against.is_some() || args.write.is_some() {
        return Err(PyValueError::new_err(
            "hosts, against and write are for the command line: run `sada scan` for a cluster, an archive or a written corpus",
        ));
    }
    let cancel = Arc::new(AtomicBool::new(false));
    // Steps wait here for this thread, which holds the GIL between polls:
    // the scan's threads never call into Python.
    let steps: Arc<Mutex<Vec<Step>>> = Arc::default();
    let observer = progress.as_ref().map(|_| {
        let steps = Arc::clone(&steps);
        Observer(Arc::new(move |s: Step| steps.lock().expect("not poisoned").push(s)))
    });
    let config = Config { cancel: Some(Arc::clone(&cancel)), observer, ..args.config() };
    let worker = std::thread::spawn(move || run(&args, &config));
    let mut interrupted = None;
    let tell = |py: Python<'_>| -> PyResult<()> {
        let Some(callback) = &progress else { return Ok(()) };
        let taken = std::mem::take(&mut *steps.lock().expect("not poisoned"));
        for s in taken {
            callback.call1(py, (s.stage, s.done, s.total, s.message, s.finished))?;
        }
        Ok(())
    };
    loop {
        let finished = worker.is_finished();
        if interrupted.is_none() {
            // A failing callback stops the scan as Ctrl-C does, and raises.
            if let Err(e) = tell(py) {
                cancel.store(true, Ordering::SeqCst);
                interrupted = Some(e);
            }
        }
        if finished {
            break;
        }
        if let Err(interrupt) = py.check_signals() {
            if interrupted.is_some() {
                return Err(interrupt);
            }
            cancel.store(true, Ordering::SeqCst);
            interrupted = Some(interrupt);
        }
        py.detach(|| std::thread::sleep(POLL));
    }
    let result = worker.join().map_err(|_| PyOSError::new_err("sada: the scan panicked"))?;
    match interrupted {
        Some(interrupt) => Err(interrupt),
        None => result.map_err(to_python),
    }
}

/// What `sada scan` does without a cluster, an archive or `--write`.
fn run(args: &sada::cli::ScanArgs, config: &Config) -> Result<(), Error> {
    let out = sada::report::outdir::OutDir::prepare(&args.out)?;
    let scan = sada::scan(&args.inputs, config)?;
    sada::report::write_with(&scan, config, out.path(), sada::report::Extras { written: None, archive: None })?;
    config.go_on()?;
    out.commit()
}

fn to_python(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::MissingInput { .. } => PyFileNotFoundError::new_err(message),
        Error::UnknownFormat { .. } | Error::Stdin { .. } | Error::Param { .. } | Error::Output { .. } => {
            PyValueError::new_err(message)
        }
        _ => PyOSError::new_err(message),
    }
}

/// The LSH banding `sada scan --threshold T --num-perm K` chooses:
/// `(bands, rows)`.
#[pyfunction]
fn optimal_bands(threshold: f64, num_perm: usize) -> PyResult<(usize, usize)> {
    let config = Config { threshold, num_perm, ..Config::default() };
    config.validate().map_err(|e| PyValueError::new_err(e.to_string()))?;
    match config.banding() {
        sada::index::Banding::Minhash { bands, rows } => Ok((bands, rows)),
        other => Err(PyValueError::new_err(format!("not a MinHash banding: {other:?}"))),
    }
}

/// The version of the sada library this module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _sada(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(signatures, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(optimal_bands, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
