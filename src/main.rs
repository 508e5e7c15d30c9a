//! The `sada` binary: parse the command line, run, report, exit.
//!
//! Exit status: 0 when the outputs were written (even if some records are
//! `error`); 2 for a usage error or a missing input path; 1 for anything else.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use sada::Error;
use sada::cli::{Cli, Command, ExtractArgs, IndexAddArgs, IndexCommand, ScanArgs, SignArgs};

/// mimalloc instead of the system allocator: the reading thread allocates each
/// batch and a worker frees it, and glibc's malloc gave the freed pages back to
/// the kernel and faulted them in again for the next batch — a fifth of
/// `sada sign`'s CPU time was page faults (perf, 35 MB Arabic corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Sign(args) => sign(&args),
        Command::Extract(args) => extract(&args),
        Command::Index(args) => index(&args.command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sada: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Paths skipped while walking that are named on stderr; the rest are
/// counted there and in `summary.json`.
const SKIPPED_NAMED: usize = 20;

fn scan(args: &ScanArgs) -> anyhow::Result<()> {
    let config = args.config();
    // Taken before anything is read: a crawl is not lost to an --out that
    // cannot be written (only process 0 of a cluster writes it).
    let writes = args.hosts.is_none() || args.process == Some(0);
    // --write too: refused (exit 2) before --out is taken and anything read.
    let write_to = args.write.as_deref().filter(|_| writes);
    if let Some(dir) = write_to {
        sada::write::check(dir, &args.out, args.against.as_deref(), &args.inputs)?;
    }
    // --against: the archive is opened (and refused if it is none) before
    // anything is read, and locked for the whole run: shared, or for --add
    // as its one writer, so that the segments read are not compacted away
    // and the segment added is the run's.
    let against = match &args.against {
        Some(dir) => {
            if args.add && args.inputs.iter().any(|p| p.as_os_str() == "-") {
                return Err(Error::Stdin {
                    reason: "--add reads the inputs a second time to archive them: give files, not standard input",
                }
                .into());
            }
            sada::archive::Archive::open(dir)?;
            let lock = if args.add {
                ArchiveLock::Write(sada::archive::WriteLock::take(dir)?)
            } else {
                ArchiveLock::Read(sada::archive::ReadLock::take(dir)?)
            };
            Some((sada::archive::Archive::open(dir)?, lock))
        }
        None => None,
    };
    let outdir = if writes { Some(sada::report::outdir::OutDir::prepare(&args.out)?) } else { None };
    let dataset = write_to.map(sada::report::outdir::OutDir::prepare_dataset).transpose()?;
    let mut mode = None;
    let mut scan = match (&args.hosts, args.process, &against) {
        (Some(hosts), Some(process), _) => match cluster_scan(args, &config, hosts, process)? {
            Some(scan) => scan,
            None => return Ok(()),
        },
        (_, _, Some((archive, _))) => {
            let (scan, how) = sada::pipeline::scan_against(archive, &args.inputs, &config)?;
            // The stored analyses could have served: say why they did not.
            if let (false, sada::pipeline::Mode::Texts(why)) = (args.quiet, &how) {
                eprintln!("sada scan: read the archive's texts (slower): {why}");
            }
            mode = Some(how);
            scan
        }
        _ => sada::scan(&args.inputs, &config)?,
    };
    name_skipped(&scan.discovery, "counted in summary.json");
    let outdir = outdir.expect("the process that has the scan writes --out");
    count_skipped(&scan.discovery);
    let written = match &dataset {
        Some(dir) => {
            let w = Instant::now();
            let opts = sada::write::Options {
                keep: args.keep,
                annotate: args.annotate,
                strip_boilerplate: args.strip_boilerplate,
                fields: std::sync::Arc::new(config.fields.clone()),
            };
            let written = sada::write::write(&scan, &opts, &args.inputs, dir.path())?;
            scan.timings.add(sada::model::Stage::Write, w.elapsed().as_secs_f64());
            Some(written)
        }
        None => None,
    };
    let t = Instant::now();
    let archive = against.as_ref().map(|(a, lock)| sada::report::summary::ArchiveCounts {
        dir: a.dir().to_string_lossy().into_owned(),
        documents: a.manifest().documents(),
        added: matches!(lock, ArchiveLock::Write(_)),
        analyses: mode.as_ref().map_or("texts", sada::pipeline::Mode::name),
    });
    sada::report::write_with(
        &scan,
        &config,
        outdir.path(),
        sada::report::Extras { written: written.as_ref(), archive },
    )?;
    outdir.commit()?;
    if let Some(dir) = dataset {
        dir.commit()?;
    }
    // --add last: the outputs are the run's answer, and are complete before
    // the archive changes. A failure here leaves the archive as it was.
    if let Some((_, ArchiveLock::Write(lock))) = &against {
        let mut named = 0usize;
        let added = sada::archive::add(lock, &args.inputs, &config, |error| {
            named += 1;
            if named <= SKIPPED_NAMED {
                eprintln!("sada scan --add: not archived: {error}");
            }
        })
        .map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "the outputs in {} are complete, but the inputs were not added to the archive: run `sada index add`",
                args.out.display()
            ))
        })?;
        if !args.quiet {
            eprintln!(
                "sada scan --add: {} added to the archive {}",
                count(added.segment.map_or(0, |s| s.documents), "record"),
                lock.dir().display()
            );
        }
    }
    if !args.quiet {
        print_summary(&scan, &config, &args.out, t.elapsed().as_secs_f64())?;
        if let (Some(w), Some(dir)) = (&written, &args.write) {
            let secs = scan.timings.0.iter().find(|s| s.0 == sada::model::Stage::Write).map_or(0.0, |s| s.1);
            println!(
                "  corpus written: {} of {} records ({} files, --keep {}) in {}/ in {secs:.2} s",
                w.records,
                scan.docs.len(),
                w.files,
                clap::ValueEnum::to_possible_value(&args.keep).map_or_else(String::new, |v| v.get_name().to_string()),
                dir.display()
            );
        }
    }
    Ok(())
}

/// The lock a `scan --against` holds on its archive for the whole run.
enum ArchiveLock {
    /// Reading only: shared with other readers.
    Read(#[expect(dead_code, reason = "held, never read: dropping it releases the lock")] sada::archive::ReadLock),
    /// `--add`: the archive's one writer.
    Write(sada::archive::WriteLock),
}

/// One process of a cluster run; `Some` on process 0, which writes --out.
#[cfg(feature = "distributed")]
fn cluster_scan(
    args: &ScanArgs,
    config: &sada::Config,
    hosts: &std::path::Path,
    process: usize,
) -> anyhow::Result<Option<sada::Scan>> {
    let timeout = std::time::Duration::from_secs(args.connect_timeout);
    let mut peers = sada::distributed::Peers::new(hosts, process, timeout)?;
    if args.resume {
        peers.checkpoints = Some(args.out.clone());
    }
    let n = peers.hosts.len();
    let (scan, exchanged) = sada::distributed::scan(&args.inputs, config, &peers)?;
    if !args.quiet {
        let docs = scan.as_ref().map(|s| s.docs.len());
        eprintln!(
            "sada: process {process} of {n}: sent {} bytes, received {} bytes{}",
            exchanged.sent,
            exchanged.received,
            docs.map_or(String::new(), |d| format!(
                " ({:.0} bytes per document)",
                (exchanged.sent + exchanged.received) as f64 / d.max(1) as f64
            ))
        );
    }
    Ok(scan)
}

#[cfg(not(feature = "distributed"))]
fn cluster_scan(
    _args: &ScanArgs,
    _config: &sada::Config,
    _hosts: &std::path::Path,
    _process: usize,
) -> anyhow::Result<Option<sada::Scan>> {
    Err(Error::Param {
        name: "hosts",
        reason: "this sada was built without the `distributed` feature; build it with `cargo build --release` (the feature is on by default)".into(),
    }
    .into())
}

/// Names the paths the walk skipped on stderr (the first
/// [`SKIPPED_NAMED`]), and counts the rest and the archive records that were
/// not documents; `counted` says where the full count is.
fn name_skipped(d: &sada::read::Discovery, counted: &str) {
    for (path, why) in d.skipped.iter().take(SKIPPED_NAMED) {
        eprintln!("sada: skipped '{}': {why}", path.display());
    }
    if d.skipped.len() > SKIPPED_NAMED {
        eprintln!("sada: … and {} more skipped ({counted})", d.skipped.len() - SKIPPED_NAMED);
    }
}

/// Counts on stderr the paths the walk skipped and the archive records that
/// are not documents, whatever was named: a run of requests only is not a
/// bare "0 documents".
fn count_skipped(d: &sada::read::Discovery) {
    let records = d.skipped_records;
    if d.skipped.is_empty() && records == 0 {
        return;
    }
    let paths = if d.skipped.len() == 1 { "1 path".into() } else { format!("{} paths", d.skipped.len()) };
    let records = if records == 1 {
        "1 web-archive record that is not a document".into()
    } else {
        format!("{records} web-archive records that are not documents")
    };
    eprintln!(
        "sada: {paths} skipped, and {records} (requests, warcinfo, metadata, non-text responses); counted in \
         summary.json"
    );
}

fn sign(args: &SignArgs) -> anyhow::Result<()> {
    let config = args.config();
    let stats = stream_to(&args.out, |out| sada::pipeline::sign(&args.inputs, &config, out, args.format))?;
    if !args.quiet {
        print_streamed("sada sign", &stats, &args.out);
    }
    Ok(())
}

fn extract(args: &ExtractArgs) -> anyhow::Result<()> {
    let config = args.reading.config();
    let stats = stream_to(&args.out, |out| sada::pipeline::extract(&args.inputs, &config, out))?;
    if !args.reading.quiet {
        print_streamed("sada extract", &stats, &args.out);
    }
    Ok(())
}

/// `sada index create|add|compact|info`.
fn index(command: &IndexCommand) -> anyhow::Result<()> {
    match command {
        IndexCommand::Create(args) => {
            // Inputs and parameters checked first: a typo must not leave an
            // empty archive behind.
            let config = args.config();
            config.validate()?;
            sada::read::discover(&args.add.inputs)?;
            let lock = sada::archive::create(&args.add.dir, sada::archive::params::Params::of(&config))?;
            index_add(&lock, &args.add, "sada index create")
        }
        IndexCommand::Add(args) => {
            // Refused before a lock file is made in a directory that is no archive.
            sada::archive::Archive::open(&args.dir)?;
            index_add(&sada::archive::WriteLock::take(&args.dir)?, args, "sada index add")
        }
        IndexCommand::Compact { dir, quiet } => {
            sada::archive::Archive::open(dir)?;
            let merged = sada::archive::compact(&sada::archive::WriteLock::take(dir)?)?;
            if !quiet {
                match merged {
                    Some(s) => eprintln!(
                        "sada index compact: {} in one segment, {}",
                        count(s.documents, "record"),
                        dir.join(&s.file).display()
                    ),
                    None => {
                        eprintln!("sada index compact: {} has fewer than two segments; nothing to do", dir.display())
                    }
                }
            }
            Ok(())
        }
        IndexCommand::Info { dir, verify, json } => {
            // --verify reads every segment: under a reader's lock, so that a
            // compaction cannot remove one meanwhile.
            let _lock = if *verify { Some(sada::archive::ReadLock::take(dir)?) } else { None };
            let archive = sada::archive::Archive::open(dir)?;
            if *verify {
                archive.verify()?;
            }
            let m = archive.manifest();
            let mut w = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut w, m)?;
                writeln!(w)?;
            } else {
                let text: u64 = m.segments.iter().map(|s| s.text_bytes).sum();
                let bytes: u64 = m.files().map(|f| f.1).sum();
                writeln!(
                    w,
                    "archive {}: {}, {}, {:.1} MB of text in {:.1} MB on disk (layout {} v{}, written by sada {})",
                    dir.display(),
                    count(m.documents(), "record"),
                    count(m.segments.len() as u64, "segment"),
                    text as f64 / 1e6,
                    bytes as f64 / 1e6,
                    m.format,
                    m.version,
                    m.written_by
                )?;
                for s in &m.segments {
                    writeln!(
                        w,
                        "  {}  {}  {} bytes  xxh3 {}; analyses {} bytes, postings {} bytes, words {} bytes",
                        s.file,
                        count(s.documents, "record"),
                        s.bytes,
                        s.xxh3,
                        s.analysis.bytes,
                        s.postings.bytes,
                        s.words.bytes
                    )?;
                }
                if let Some(e) = &m.edges {
                    // 16 bytes a pair after a 16-byte header (archive/edges.rs).
                    let pairs = e.bytes.saturating_sub(16) / 16;
                    writeln!(w, "  {}  {}  {} bytes", e.file, count(pairs, "verified pair"), e.bytes)?;
                }
                if let Some(st) = &m.state {
                    // 8 bytes a pair after a 16-byte header (archive/state.rs).
                    let links = st.links.bytes.saturating_sub(16) / 8;
                    writeln!(
                        w,
                        "  statement state: {} {} bytes, {} {} ({} bytes), {} {} bytes",
                        st.docs.file,
                        st.docs.bytes,
                        st.links.file,
                        count(links, "linked pair"),
                        st.links.bytes,
                        st.order.file,
                        st.order.bytes
                    )?;
                }
                let p = &m.parameters;
                let banding = match (p.bands, p.rows) {
                    (Some(b), Some(r)) => format!("--bands {b} --rows {r}"),
                    _ => "banding from --threshold".into(),
                };
                writeln!(
                    w,
                    "  parameters: --threshold {} --num-perm {} --ngram {} --shingle {} --method {} --seed {}, {banding}, \
                     normalization v{} (a scan with others reads the texts again)",
                    p.threshold,
                    p.num_perm,
                    p.ngram,
                    clap::ValueEnum::to_possible_value(&p.shingle).expect("named").get_name(),
                    clap::ValueEnum::to_possible_value(&p.method).expect("named").get_name(),
                    p.seed,
                    p.normalization
                )?;
                let st = &p.statements;
                writeln!(
                    w,
                    "  statements: --min-words {} --min-identity {} --max-gap {} --max-df {} --boilerplate-docs {}",
                    st.min_words, st.min_identity, st.max_gap, st.max_df, st.boilerplate_docs
                )?;
                if *verify {
                    writeln!(w, "  every segment matches its hash")?;
                }
            }
            Ok(w.flush()?)
        }
    }
}

/// Appends the records of `args.inputs` to the archive, naming on stderr the
/// records that cannot be read (not archived).
fn index_add(lock: &sada::archive::WriteLock, args: &IndexAddArgs, what: &str) -> anyhow::Result<()> {
    let config = args.reading.config();
    let mut named = 0usize;
    let added = sada::archive::add(lock, &args.inputs, &config, |error| {
        named += 1;
        if named <= SKIPPED_NAMED {
            eprintln!("{what}: not archived: {error}");
        }
    })?;
    name_skipped(&added.read.discovery, "not archived");
    if !args.reading.quiet {
        let archive = sada::archive::Archive::open(&args.dir)?;
        let m = archive.manifest();
        let r = &added.read;
        let into = added.segment.as_ref().map_or_else(
            || "nothing archived".to_string(),
            |s| format!("{} archived in {}", count(s.documents, "record"), args.dir.join(&s.file).display()),
        );
        eprintln!(
            "{what}: {} read ({} ok, {} empty, {} errors not archived); {into}; the archive holds {} in {}",
            count(r.records, "record"),
            r.ok,
            r.empty,
            r.error,
            count(m.documents(), "record"),
            count(m.segments.len() as u64, "segment")
        );
    }
    Ok(())
}

/// `n` and `noun`, plural when `n` is not 1: "1 record", "2 records".
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Runs a streaming command writing to `out`: standard output for `-`, else
/// a file that appears complete or not at all (a bad input, a failed write
/// or a kill leaves a previous file untouched).
fn stream_to(
    out: &std::path::Path,
    run: impl FnOnce(&mut std::io::BufWriter<Box<dyn Write + Send + '_>>) -> Result<sada::model::Streamed, Error>,
) -> anyhow::Result<sada::model::Streamed> {
    if out.as_os_str() == "-" {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, Box::new(std::io::stdout()) as Box<dyn Write + Send>);
        return Ok(run(&mut w)?);
    }
    let mut file = sada::report::outfile::OutFile::create(out)?;
    let stats = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, Box::new(file.file()) as Box<dyn Write + Send>);
        run(&mut w)?
    };
    file.commit()?;
    Ok(stats)
}

/// The one-line summary of a streaming command on stderr, after the skipped
/// paths.
fn print_streamed(what: &str, stats: &sada::model::Streamed, out: &std::path::Path) {
    name_skipped(&stats.discovery, "not read");
    let d = &stats.discovery;
    let mut skipped = Vec::new();
    let files = d.skipped.len();
    if files > 0 {
        skipped.push(format!("{files} file{} skipped", if files == 1 { "" } else { "s" }));
    }
    if d.skipped_records > 0 {
        let n = d.skipped_records;
        skipped.push(format!("{n} archive record{} skipped (not documents)", if n == 1 { "" } else { "s" }));
    }
    let skipped = if skipped.is_empty() { String::new() } else { format!("; {}", skipped.join(", ")) };
    let secs = stats.timings.total();
    eprintln!(
        "{what}: {} record{} ({} ok, {} empty, {} error){skipped}, {:.1} MB of text in {:.2} s ({:.1} MB/s) -> {}",
        stats.records,
        if stats.records == 1 { "" } else { "s" },
        stats.ok,
        stats.empty,
        stats.error,
        stats.bytes as f64 / 1e6,
        secs,
        stats.bytes as f64 / 1e6 / secs.max(1e-9),
        if out.as_os_str() == "-" { "standard output".into() } else { out.display().to_string() }
    );
}

/// The human summary on stdout. Errors (a closed pipe, as in `sada scan … |
/// head`) are returned, and `main` treats a broken pipe as success.
fn print_summary(
    scan: &sada::Scan,
    config: &sada::Config,
    out: &std::path::Path,
    report_secs: f64,
) -> std::io::Result<()> {
    let s = sada::report::summary::Summary::new(scan, config);
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        w,
        "sada: {} documents ({} ok, {} empty, {} error), {} tokens, in {:.2} s",
        s.documents,
        s.ok,
        s.empty,
        s.error,
        s.tokens,
        scan.timings.total() + report_secs
    )?;
    writeln!(
        w,
        "  {} duplicate clusters ({} exact, {} near) holding {} documents",
        s.clusters, s.exact_clusters, s.near_clusters, s.clustered_documents
    )?;
    for (i, c) in scan.clusters.iter().enumerate().take(5) {
        let rep = &scan.docs[c.representative.index()];
        writeln!(w, "    cluster {i}: {} documents like {} ({})", c.members.len(), rep.meta.id, rep.meta.source)?;
    }
    writeln!(
        w,
        "  {} recycled statements ({} across sources, {} boilerplate passages set aside)",
        s.statements, s.cross_source_statements, s.boilerplate_statements
    )?;
    for (i, st) in scan.statements.iter().enumerate().filter(|(_, st)| !st.boilerplate && st.sources > 1).take(5) {
        let mut ids: Vec<&str> = st.occurrences.iter().map(|o| scan.docs[o.doc.index()].meta.id.as_str()).collect();
        ids.dedup();
        let text: String = st.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = text.chars().take(90).collect();
        let more = if short.len() < text.len() { "…" } else { "" };
        writeln!(
            w,
            "    statement {i}: {} sources, {} docs: «{short}{more}» in {}",
            st.sources,
            st.docs,
            ids.join(", ")
        )?;
    }
    for d in scan.docs.iter().filter(|d| matches!(d.status, sada::model::Status::Error(_))).take(5) {
        if let sada::model::Status::Error(e) = &d.status {
            writeln!(w, "  error: {e}")?;
        }
    }
    writeln!(w, "  outputs in {}/", out.display())?;
    w.flush()
}

/// 2 for what the user can fix on the command line, 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<Error>() {
        Some(
            Error::MissingInput { .. }
            | Error::UnknownFormat { .. }
            | Error::Stdin { .. }
            | Error::Param { .. }
            | Error::Output { .. }
            | Error::Write { .. }
            | Error::Archive { .. },
        ) => 2,
        _ => 1,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
