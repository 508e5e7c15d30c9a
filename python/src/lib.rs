//! `sada._sada`: the compiled half of the Python package. Each function is a
//! thin call into the `sada` library (the one implementation), with the GIL
//! released while Rust works; `sada/__init__.py` builds the Python API on
//! them (dataclasses, Arrow tables, inputs from dicts and tables).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use arrow_array::OffsetSizeTrait;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_data::ArrayData;
use arrow_schema::DataType;
use clap::Parser;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyString};
use rayon::prelude::*;

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
    let config = sign_config(num_perm, ngram, method, seed)?;
    // Borrowed: CPython keeps each string's UTF-8 form, so the texts are
    // not copied again into Rust strings.
    let refs: Vec<&str> = texts.iter().map(|t| t.to_str()).collect::<PyResult<_>>()?;
    let (bytes, tokens) = py.detach(|| sign_packed(&refs, &config));
    Ok((PyBytes::new(py, &bytes), lanes(&config), tokens))
}

/// As `signatures`, for the strings of one Arrow array (`string` or
/// `large_string`) handed over by the Arrow PyCapsule interface
/// (`array.__arrow_c_array__()`): the strings are read where Arrow keeps
/// them, already UTF-8, so nothing is encoded or copied (a `str` is stored
/// by CPython as UCS-2 for Arabic and encoded on the way in). A null
/// string has no words.
#[pyfunction]
#[pyo3(signature = (schema, array, num_perm, ngram, method, seed))]
fn signatures_arrow<'py>(
    py: Python<'py>,
    schema: &Bound<'py, PyCapsule>,
    array: &Bound<'py, PyCapsule>,
    num_perm: usize,
    ngram: usize,
    method: &str,
    seed: Option<u64>,
) -> PyResult<(Bound<'py, PyBytes>, usize, Vec<u32>)> {
    let config = sign_config(num_perm, ngram, method, seed)?;
    let schema = schema.pointer_checked(Some(c"arrow_schema"))?.cast::<FFI_ArrowSchema>();
    let array = array.pointer_checked(Some(c"arrow_array"))?.cast::<FFI_ArrowArray>();
    // SAFETY: capsules of these names hold these C Data Interface structs
    // (the interface's contract, and the names are checked above). The
    // array is moved out, leaving a released one behind, as the interface
    // asks of a consumer: its buffers are ours until `data` drops.
    let data = unsafe { from_ffi(FFI_ArrowArray::from_raw(array.as_ptr()), schema.as_ref()) }
        .map_err(|e| PyValueError::new_err(format!("not an Arrow array sada can read: {e}")))?;
    let signed = py.detach(|| -> Result<_, String> {
        let texts = arrow_texts(&data)?;
        Ok(sign_packed(&texts, &config))
    });
    // Dropped here, with the GIL: the release callback is the producer's.
    drop(data);
    let (bytes, tokens) = signed.map_err(PyValueError::new_err)?;
    Ok((PyBytes::new(py, &bytes), lanes(&config), tokens))
}

/// The strings of a `string` or `large_string` array, each checked as
/// UTF-8 (in parallel) and against its buffer's bounds: the C Data
/// Interface promises both, but a promise is not a check.
fn arrow_texts(data: &ArrayData) -> Result<Vec<&str>, String> {
    fn strings<O: OffsetSizeTrait>(data: &ArrayData) -> Result<Vec<&str>, String> {
        let (Some(offsets), Some(values)) = (data.buffers().first(), data.buffers().get(1)) else {
            return Err("an Arrow string array without its offsets and values".into());
        };
        let offsets = offsets.typed_data::<O>();
        let Some(offsets) = offsets.get(data.offset()..data.offset() + data.len() + 1) else {
            return Err("an Arrow string array with too few offsets".into());
        };
        let values = values.as_slice();
        let nulls = data.nulls();
        let ranges: Vec<Option<(usize, usize)>> = (0..data.len())
            .map(|i| {
                if nulls.is_some_and(|n| n.is_null(i)) {
                    return Ok(None);
                }
                let start = offsets[i].to_usize().ok_or_else(|| format!("string {i}: a negative offset"))?;
                let end = offsets[i + 1].to_usize().ok_or_else(|| format!("string {i}: a negative offset"))?;
                Ok(Some((start, end)))
            })
            .collect::<Result<_, String>>()?;
        ranges
            .par_iter()
            .enumerate()
            .map(|(i, range)| {
                let Some((start, end)) = *range else { return Ok("") };
                let bytes = values.get(start..end).ok_or_else(|| format!("string {i}: offsets past the values"))?;
                simdutf8::basic::from_utf8(bytes).map_err(|_| match std::str::from_utf8(bytes) {
                    Err(e) => format!("string {i} is not UTF-8: {e}"),
                    Ok(_) => format!("string {i} is not UTF-8"),
                })
            })
            .collect()
    }
    match data.data_type() {
        DataType::Utf8 => strings::<i32>(data),
        DataType::LargeUtf8 => strings::<i64>(data),
        other => Err(format!("an Arrow array of {other}, not of strings (string or large_string)")),
    }
}

/// The signing options of `signatures`, checked as the command line checks them.
fn sign_config(num_perm: usize, ngram: usize, method: &str, seed: Option<u64>) -> PyResult<Config> {
    let method = <sada::sign::Method as clap::ValueEnum>::from_str(method, true)
        .map_err(|_| PyValueError::new_err(format!("invalid method '{method}': expected minhash, oph or simhash")))?;
    let mut config = Config { method, num_perm, ..Config::default() };
    config.shingle.n = ngram;
    if let Some(seed) = seed {
        config.seed = seed;
    }
    config.validate().map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(config)
}

/// Lanes per signature: `num_perm`, or SimHash's 64 bits as two.
fn lanes(config: &Config) -> usize {
    if config.method == sada::sign::Method::Simhash { 2 } else { config.num_perm }
}

/// `texts` signed, as rows of little-endian lanes (`0xFFFFFFFF` for a text
/// without words), and their token counts.
fn sign_packed(texts: &[&str], config: &Config) -> (Vec<u8>, Vec<u32>) {
    let lanes = lanes(config);
    let signed = sada::pipeline::sign_texts(texts, config);
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
    if args.hosts.is_some() || args.write.is_some() {
        return Err(PyValueError::new_err(
            "hosts and write are for the command line: run `sada scan` for a cluster or a written corpus",
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

/// What `sada scan` does without a cluster or `--write`: against an archive
/// too (`--against`, `--add`), locked and reported as the command line does.
fn run(args: &sada::cli::ScanArgs, config: &Config) -> Result<(), Error> {
    use sada::archive::{Archive, ReadLock, WriteLock};
    enum Lock {
        Read(#[expect(dead_code, reason = "held, never read: dropping it releases the lock")] ReadLock),
        Write(WriteLock),
    }
    // Locked before anything is read, as the command line does.
    let against = match &args.against {
        Some(dir) => {
            Archive::open(dir)?;
            let lock = if args.add { Lock::Write(WriteLock::take(dir)?) } else { Lock::Read(ReadLock::take(dir)?) };
            Some((Archive::open(dir)?, lock))
        }
        None => None,
    };
    let out = sada::report::outdir::OutDir::prepare(&args.out)?;
    let (scan, mode) = match &against {
        Some((archive, _)) => {
            let (scan, mode) = sada::pipeline::scan_against(archive, &args.inputs, config)?;
            (scan, Some(mode))
        }
        None => (sada::scan(&args.inputs, config)?, None),
    };
    let counts = against.as_ref().map(|(a, lock)| sada::report::summary::ArchiveCounts {
        dir: a.dir().to_string_lossy().into_owned(),
        documents: a.manifest().documents(),
        added: matches!(lock, Lock::Write(_)),
        analyses: mode.as_ref().map_or("texts", sada::pipeline::Mode::name),
    });
    sada::report::write_with(&scan, config, out.path(), sada::report::Extras { written: None, archive: counts })?;
    config.go_on()?;
    out.commit()?;
    // `add` after the outputs, as on the command line: records that cannot
    // be read are in `documents` already.
    if let Some((_, Lock::Write(lock))) = &against {
        sada::archive::add(lock, &args.inputs, config, |_| {})?;
    }
    Ok(())
}

fn to_python(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::MissingInput { .. } => PyFileNotFoundError::new_err(message),
        Error::UnknownFormat { .. }
        | Error::Stdin { .. }
        | Error::Param { .. }
        | Error::Output { .. }
        | Error::Archive { .. } => PyValueError::new_err(message),
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
    m.add_function(wrap_pyfunction!(signatures_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(optimal_bands, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
