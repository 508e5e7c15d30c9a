//! The scan: every stage, in order, over a list of inputs.

mod against;
mod against_statements;
mod extract;
mod sign;
mod stream;

pub use against::{DayState, Mode};
pub use extract::{extract, extract_texts};
pub use sign::{SigFormat, sign, sign_texts};

use std::path::PathBuf;

use rayon::prelude::*;

use crate::analyze::{Analysis, Analyzed, analyze, for_each_batch, with_scratch};
use crate::cluster::{Cluster, ClusterSim};
use crate::config::Config;
use crate::error::Error;
use crate::index;
use crate::model::{DocId, Document, PairCounts, Scan, Spilled, Stage, Timings, WordRange};
use crate::normalize::Analyzer;
use crate::passage::{self, Statement};
use crate::progress::Progress;
use crate::read::{self, Discovery, RawReader};
use crate::report::caps::{EXCERPT_BYTES, EXCERPT_CLUSTERS};
use crate::shingle::ShingleKind;
use crate::sign::Signer;
use crate::spill::{self, store::Store};
use crate::verify::{self, Similarity};

/// How far below the threshold a candidate's estimated similarity may be and
/// still be checked exactly by the cluster stage.
const VERIFY_SLACK: f64 = 0.1;

/// Whether clustering decides on exact Jaccard of word shingles rebuilt
/// from the word hashes (the default) rather than on the verify stage's
/// similarity.
pub(crate) fn exact_clustering(config: &Config) -> bool {
    config.shingle.kind == ShingleKind::Word && !config.exact_jaccard
}

/// The similarity a candidate pair must reach to be verified: with exact
/// clustering, [`VERIFY_SLACK`] below the threshold.
pub(crate) fn verify_at(config: &Config) -> f64 {
    if exact_clustering(config) { config.threshold - VERIFY_SLACK } else { config.threshold }
}

/// Runs every stage over `inputs`. Per-record failures end up in
/// [`Scan::docs`], not in `Err`.
///
/// # Errors
/// A missing input path, an explicitly given file of unknown type, invalid
/// parameters, or a thread pool that cannot start.
///
/// # Threading
/// Runs on its own rayon pool of `config.threads` threads; the result does
/// not depend on their number.
pub fn scan(inputs: &[PathBuf], config: &Config) -> Result<Scan, Error> {
    config.validate()?;
    let discovery = discover_spooled(inputs, config)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| run(discovery, config))
}

/// Scans `inputs` together with the archive `archive` (its records first):
/// the clusters and statements that involve a record of `inputs`, with the
/// archive's records as members and occurrences (`scan --against`); and how
/// the archive was read.
///
/// # Errors
/// As [`scan`]; [`Error::ArchiveDamaged`] when the archive's segments do not
/// give back the records its manifest counts.
pub fn scan_against(
    archive: &crate::archive::Archive,
    inputs: &[PathBuf],
    config: &Config,
) -> Result<(Scan, Mode), Error> {
    config.validate()?;
    // Spooled once: a stream (standard input, a pipe) read by the stored path
    // is still there for the texts if that path gives up.
    let spooled = discover_spooled(inputs, config)?;
    let planned = Mode::of(archive, config);
    let state = match planned {
        Mode::Stored if config.passage.enabled => crate::archive::state::State::open(archive)?,
        _ => None,
    };
    let mode = match planned {
        // Without records an archive has no statement state: the inputs'
        // statements among themselves are a scan of the inputs.
        Mode::Stored if config.passage.enabled && state.is_none() => Mode::Texts("the archive has no records".into()),
        Mode::Stored => {
            let stored = crate::archive::graph::Stored::open(archive)?;
            let mut discovery = spooled.clone();
            let config = Config { archived: stored.len(), ..config.clone() };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
            let finished = pool.install(|| {
                let progress = Progress::new(config.progress, config.observer.clone());
                let mut timings = Timings::default();
                let kept = analyze_inputs(&mut discovery, &config, &progress, &mut timings)?;
                against::finish(kept, discovery, &stored, state.as_ref(), &config, &progress, timings)
            })?;
            match finished {
                against::Finished::Scan(scan) => return Ok((*scan, Mode::Stored)),
                against::Finished::Rescan(why) => Mode::Texts(why),
            }
        }
        texts => texts,
    };
    let mut discovery = spooled;
    let segments = archive.input_files();
    let displays: Vec<String> = segments.iter().map(|f| f.display.clone()).collect();
    discovery.archive_files = segments.len();
    discovery.files.splice(0..0, segments);
    let archived = usize::try_from(archive.manifest().documents()).expect("an archive's records fit in memory");
    let config = Config { archived, ..config.clone() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    let scan = pool.install(|| run(discovery, &config))?;
    // A segment that decompresses to fewer or more records than the manifest
    // says would shift every record after it: refuse rather than misreport.
    let read_back = scan.docs.iter().take_while(|d| displays.contains(&d.meta.input)).count();
    if read_back != archived {
        return Err(Error::ArchiveDamaged {
            path: archive.dir().to_path_buf(),
            reason: format!(
                "gave back {read_back} records where its manifest lists {archived}: check it with `sada index info --verify`"
            ),
        });
    }
    Ok((scan, mode))
}

/// What the records of `files` (a segment being added) change in the
/// statement state of `archive` (before they are added), with the archive's
/// parameters; `None` when the archive has no state yet, or rebuilding it
/// costs about as much.
///
/// # Errors
/// As [`scan_against`].
pub fn day_state(
    archive: &crate::archive::Archive,
    files: Vec<read::InputFile>,
    config: &Config,
) -> Result<Option<DayState>, Error> {
    let Some(state) = crate::archive::state::State::open(archive)? else { return Ok(None) };
    let stored = crate::archive::graph::Stored::open(archive)?;
    let mut discovery = Discovery { files, ..Discovery::default() };
    let mut config = Config { archived: stored.len(), progress: false, ..config.clone() };
    config.passage.enabled = true;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| {
        let progress = Progress::new(false, None);
        let kept = analyze_inputs(&mut discovery, &config, &progress, &mut Timings::default())?;
        against::day_state(kept, &stored, &state, &config, &progress)
    })
}

/// Scans `files` (an archive's segments) as they are listed, without
/// locating statements in the texts: what the archive's statement state is
/// made of.
///
/// # Errors
/// As [`scan`].
pub fn scan_files(files: Vec<read::InputFile>, config: &Config) -> Result<Scan, Error> {
    config.validate()?;
    let mut discovery = Discovery { files, ..Discovery::default() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build()?;
    pool.install(|| {
        let progress = Progress::new(config.progress, config.observer.clone());
        let mut timings = Timings::default();
        let kept = analyze_inputs(&mut discovery, config, &progress, &mut timings)?;
        // No locate pass: the state needs no byte spans.
        finish(kept, discovery, config, &progress, timings, false)
    })
}

/// The files of `inputs`, with standard input and named streams saved to
/// be read twice (a scan's second pass goes back to the texts).
fn discover_spooled(inputs: &[PathBuf], config: &Config) -> Result<Discovery, Error> {
    let mut discovery = read::discover(inputs)?;
    read::spool_streams(&mut discovery, config.spill_dir.as_deref()).map_err(|source| Error::Io {
        what: "cannot save standard input or a stream to read it twice, in",
        path: config.spill_dir.clone().unwrap_or_else(std::env::temp_dir),
        source,
    })?;
    Ok(discovery)
}

fn run(mut discovery: Discovery, config: &Config) -> Result<Scan, Error> {
    let progress = Progress::new(config.progress, config.observer.clone());
    let mut timings = Timings::default();
    let kept = analyze_inputs(&mut discovery, config, &progress, &mut timings)?;
    finish(kept, discovery, config, &progress, timings, true)
}

/// The first pass over the inputs: what [`finish`] (or a scan against
/// stored analyses) needs of every record, the texts not kept.
fn analyze_inputs(
    discovery: &mut Discovery,
    config: &Config,
    progress: &Progress,
    timings: &mut Timings,
) -> Result<Analyzed, Error> {
    let signer = Signer::new(config.method, config.num_perm, config.seed);

    // read → normalize → shingle → sign, streaming in batches: only one batch
    // of text is ever in memory.
    let bar = progress.bytes(discovery.total_bytes());
    let mut kept = Analyzed::new(config);
    let mut failed: Result<(), Error> = Ok(());
    let fields = &config.fields;
    let stop = || config.cancelled();
    discovery.skipped_records = for_each_batch(&discovery.files, fields, timings, &stop, |batch, timings, consumed| {
        let analyzed: Vec<Analysis> = timings.run(Stage::Analyze, || {
            batch.into_par_iter().map(|raw| with_scratch(|s| analyze(raw.parse(), config, &signer, s))).collect()
        });
        for a in analyzed {
            if failed.is_ok() {
                failed = kept.push(a);
            }
        }
        bar.set_position(consumed);
        bar.set_message(format!("{} records", kept.docs.len()));
    });
    bar.finish_and_clear();
    failed?;
    config.go_on()?;
    Ok(kept)
}

/// Every stage after analyze: index, verify, cluster, the passage stages
/// and (with `locate`) turning word ranges back into text.
pub(crate) fn finish(
    kept: Analyzed,
    discovery: Discovery,
    config: &Config,
    progress: &Progress,
    mut timings: Timings,
    locate_text: bool,
) -> Result<Scan, Error> {
    let Analyzed { docs, content, mut sigs, sets, mut words, .. } = kept;
    let spill_error = |source| spill::error(config.spill_dir.as_deref(), source);
    sigs.finish().and_then(|()| words.finish()).map_err(spill_error)?;
    let sim = if config.exact_jaccard { Similarity::Exact(&sets) } else { Similarity::Estimated(&sigs) };
    let banding = config.banding();

    // Exact duplicates collapse into units; LSH runs over one document per unit.
    let spin = progress.spinner("index");
    let units = timings.run(Stage::Verify, || verify::exact_groups(&content));
    let (candidates, sorted_spill) = timings
        .run(Stage::Index, || {
            let mut rep = vec![false; docs.len()];
            for u in &units {
                rep[u[0].index()] = true;
            }
            index::candidates_in(&sigs, &rep, &banding, config.budgets().sort, config.spill_dir.as_deref())
        })
        .map_err(spill_error)?;
    spin.finish_and_clear();
    config.go_on()?;
    let bar = progress.spinner("verify");
    // When clustering will decide on exact Jaccard (word shingles), the
    // estimate only needs to keep the candidates that might pass: a margin of
    // VERIFY_SLACK (about 2σ of a 128-lane estimate near 0.6) keeps pairs the
    // estimate puts just below the threshold.
    let exact_clustering = exact_clustering(config);
    let verify_at = verify_at(config);
    let edges = timings.run(Stage::Verify, || verify::edges(&candidates, sim, verify_at));
    bar.finish_and_clear();
    config.go_on()?;
    let spin = progress.spinner("cluster");
    // Clustering decides with exact Jaccard where it can: only documents with
    // a verified edge are compared, and their word n-gram sets are cheap to
    // rebuild from the word hashes kept for the passage stages. The drift
    // guard then holds for the true similarity, not only for an estimate
    // within ±0.05 of it.
    let how = if exact_clustering {
        ClusterSim::ExactFromWords(&words, config.shingle.n, docs.len())
    } else {
        ClusterSim::Given(sim)
    };
    let mut clusters = timings.run(Stage::Cluster, || how.cluster(&units, &edges, config.limits()));
    spin.finish_and_clear();
    let mut spilled = Spilled {
        signatures: sigs.store().spilled_bytes(),
        words: words.spilled_bytes(),
        sorted: sorted_spill,
        statements: 0,
    };
    sigs.store().check().and_then(|()| words.check()).map_err(spill_error)?;
    drop((sigs, sets, content));
    // The passage stages read words in pair order; with the signatures gone,
    // words that spilled during analyze come back if they fit in both shares.
    let budgets = config.budgets();
    words.load_back(budgets.words + budgets.signatures).map_err(spill_error)?;

    config.go_on()?;
    let mut pairs =
        PairCounts { candidates: candidates.len() as u64, verified: edges.len() as u64, ..Default::default() };
    let mut linked = Vec::new();
    let mut statements = if config.passage.enabled {
        statements(
            &docs,
            &clusters,
            &words,
            config,
            progress,
            &mut timings,
            &mut pairs,
            &mut spilled.statements,
            &mut linked,
        )?
    } else {
        Vec::new()
    };
    words.check().map_err(spill_error)?;
    drop(words);
    if config.archived > 0 {
        restrict_to_new(&mut clusters, &mut statements, config.archived);
    }
    let found = Found { docs, clusters, statements, pairs, spilled, linked };
    report(found, discovery, config, progress, timings, locate_text)
}

/// What the grouping stages found, for [`report`].
pub(crate) struct Found {
    pub(crate) docs: Vec<Document>,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) statements: Vec<Statement>,
    pub(crate) pairs: PairCounts,
    pub(crate) spilled: Spilled,
    pub(crate) linked: Vec<(DocId, DocId)>,
}

/// The scan of `found`: with `locate_text`, statements located in the
/// texts and excerpts of the first clusters taken (the second pass).
pub(crate) fn report(
    found: Found,
    discovery: Discovery,
    config: &Config,
    progress: &Progress,
    mut timings: Timings,
    locate_text: bool,
) -> Result<Scan, Error> {
    let Found { docs, clusters, mut statements, pairs, spilled, linked } = found;
    config.go_on()?;
    let excerpts = if locate_text {
        let spin = progress.spinner("locate");
        let stop = || config.cancelled();
        let excerpts =
            timings.run(Stage::Locate, || locate(&discovery, &config.fields, &mut statements, &clusters, &stop, 0));
        spin.finish_and_clear();
        config.go_on()?;
        excerpts
    } else {
        Vec::new()
    };
    Ok(Scan {
        docs,
        clusters,
        statements,
        excerpts,
        discovery,
        banding: config.banding(),
        pairs,
        timings,
        spilled,
        resumed: Vec::new(),
        archived: config.archived,
        archived_records: Vec::new(),
        linked,
    })
}

/// Keeps the clusters and statements that involve a record after the first
/// `archived` (the archive's): what `scan --against` reports. The others
/// were found, and reported, when the archive was scanned.
fn restrict_to_new(clusters: &mut Vec<Cluster>, statements: &mut Vec<Statement>, archived: usize) {
    clusters.retain(|c| c.members.iter().any(|m| m.0.index() >= archived));
    statements.retain(|s| s.occurrences.iter().any(|o| o.doc.index() >= archived));
}

/// The passage stages: match, align, group, locate.
#[allow(clippy::too_many_arguments)]
fn statements(
    docs: &[Document],
    clusters: &[Cluster],
    words: &Store,
    config: &Config,
    progress: &Progress,
    timings: &mut Timings,
    counts: &mut PairCounts,
    spilled: &mut u64,
    linked: &mut Vec<(DocId, DocId)>,
) -> Result<Vec<Statement>, Error> {
    let pc = &config.passage;
    // A document's group is its cluster, so that copies of one article count
    // once towards an anchor's document frequency and are not aligned with
    // each other.
    let mut group: Vec<u32> = (0..docs.len() as u32).map(|d| clusters.len() as u32 + d).collect();
    for (i, c) in clusters.iter().enumerate() {
        for (d, _) in &c.members {
            group[d.index()] = i as u32;
        }
    }
    let mut names: Vec<&str> = docs.iter().map(|d| d.meta.source.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let source: Vec<u32> =
        docs.iter().map(|d| names.binary_search(&d.meta.source.as_str()).expect("listed") as u32).collect();
    // Leaders of anchors: dated documents first, by date, then by id; never
    // input order.
    let mut by_rank: Vec<u32> = (0..docs.len() as u32).collect();
    by_rank.sort_by(|&x, &y| {
        let key = |d: u32| {
            let doc = &docs[d as usize];
            (doc.meta.date.is_none(), doc.meta.date.as_deref(), doc.meta.id.as_str(), d)
        };
        key(x).cmp(&key(y))
    });
    let mut rank = vec![0u32; docs.len()];
    for (r, &d) in by_rank.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    let spin = progress.spinner("match");
    // The pairs take the LSH sort's share, free by now.
    let budgets = config.budgets();
    let dir = config.spill_dir.as_deref();
    let mut pairs = passage::Pairs::new(budgets.sort, dir);
    let mut matches = timings
        .run(Stage::Match, || passage::matching(words, &group, &source, &rank, pc, budgets.postings, dir, &mut pairs))
        .map_err(|e| spill::error(config.spill_dir.as_deref(), e))?;
    spin.finish_and_clear();
    config.go_on()?;
    // What align finds goes straight into group's sorted sides, within the
    // shares match and the LSH sort no longer use.
    let spin = progress.spinner("align");
    let mut sides =
        passage::candidates::Sides::new(docs.len(), budgets.sort + budgets.postings, config.spill_dir.as_deref());
    let pairs_spill = pairs.spilled_bytes();
    // Cancelling stops align at its next block of pairs and group at its
    // next candidate: a long stage of a large crawl does not run to its end.
    let interrupted = || std::io::Error::new(std::io::ErrorKind::Interrupted, "align was stopped");
    let aligned = timings.run(Stage::Align, || {
        passage::align_pairs_into(words, pairs, &pc.align, |block| {
            if config.cancelled() {
                return Err(interrupted());
            }
            sides.add(block)?;
            if config.keep_links {
                // A pair's passages come together: one entry per pair here,
                // the blocks' order sorted out at the end.
                for p in block {
                    if linked.last() != Some(&(p.a, p.b)) {
                        linked.push((p.a, p.b));
                    }
                }
            }
            spin.set_message(format!("{} passages", sides.passages()));
            Ok(())
        })
    });
    spin.finish_and_clear();
    config.go_on()?;
    counts.aligned = aligned.map_err(|e| spill::error(config.spill_dir.as_deref(), e))?;
    linked.par_sort_unstable();
    linked.dedup();
    counts.passages = sides.passages();
    // Grouping needs the frequencies and template anchors, not the pairs.
    matches.pairs = Vec::new();

    let stop = || config.cancelled();
    let spin = progress.spinner("group");
    let grouped = timings.run(Stage::Group, || {
        let date: Vec<Option<&str>> = docs.iter().map(|d| d.meta.date.as_deref()).collect();
        let ids: Vec<&str> = docs.iter().map(|d| d.meta.id.as_str()).collect();
        let is_formula = |d: DocId, r: WordRange, n: usize| matches.is_formula(&words.get(d), r, n);
        let is_templated = |d: DocId, r: WordRange| matches.is_templated(&words.get(d), r);
        let words_of = |d: DocId| words.get(d);
        passage::statement::group_sides(
            sides,
            &passage::statement::DocInfo {
                source: &source,
                date: &date,
                id: &ids,
                group: &group,
                words: &words_of,
                is_formula: &is_formula,
                is_templated: &is_templated,
                stop: &stop,
            },
            &pc.align,
            pc.boilerplate_docs,
        )
    });
    spin.finish_and_clear();
    config.go_on()?;
    let (statements, spill) = grouped.map_err(|e| spill::error(config.spill_dir.as_deref(), e))?;
    *spilled += pairs_spill + spill;
    Ok(statements)
}

/// Re-reads the documents that hold statements or belong to the first
/// clusters (streaming, in input order) to turn word ranges into byte spans,
/// copy out statement texts and contexts, and keep excerpts of clustered
/// documents for the report. Text is not kept in memory between the first
/// pass and this one. Stops early (leaving the statements half located)
/// once `stop` says so: the caller then fails the scan as cancelled. The
/// inputs' records are documents `offset…` (after an archive's, when it is
/// not read with them); documents before `offset` are left alone.
fn locate(
    discovery: &Discovery,
    fields: &crate::read::Fields,
    statements: &mut [Statement],
    clusters: &[Cluster],
    stop: &dyn Fn() -> bool,
    offset: usize,
) -> Vec<(DocId, String)> {
    let mut index = passage::locate::occurrence_index(statements);
    index.retain(|r| r.0.index() >= offset);
    let mut excerpt_docs: Vec<DocId> = clusters
        .iter()
        .take(EXCERPT_CLUSTERS)
        .flat_map(|c| c.members.iter().map(|m| m.0))
        .filter(|d| d.index() >= offset)
        .collect();
    excerpt_docs.sort_unstable();
    let mut excerpts = Vec::new();
    if index.is_empty() && excerpt_docs.is_empty() {
        return excerpts;
    }
    let last = index.last().map_or(0, |r| r.0.index()).max(excerpt_docs.last().map_or(0, |d| d.index())) - offset;
    let mut analyzer = Analyzer::new();
    let mut tokens = Vec::new();
    let mut spans = Vec::new();
    let mut rows = index.chunk_by(|x, y| x.0 == y.0).peekable();
    let mut wanted = excerpt_docs.iter().peekable();
    // Only the records needed are parsed (JSON, HTML extraction); the others
    // are skipped as raw lines or archive records.
    for (i, raw) in RawReader::new(discovery.files.clone()).fields(fields).enumerate().take(last + 1) {
        if stop() {
            break;
        }
        let i = i + offset;
        let entries = rows.next_if(|e| e[0].0.index() == i);
        let excerpt = wanted.next_if(|d| d.index() == i).is_some();
        if entries.is_none() && !excerpt {
            continue;
        }
        let rec = raw.parse();
        let Ok(text) = &rec.content else { continue };
        if let Some(entries) = entries {
            tokens.clear();
            analyzer.tokens_into(text, &mut tokens);
            spans.clear();
            spans.extend(tokens.iter().map(|t| t.span));
            passage::locate::locate(statements, entries, text, &spans);
        }
        if excerpt {
            excerpts.push((DocId(i as u32), excerpt_of(text)));
        }
    }
    excerpts
}

/// The first [`EXCERPT_BYTES`] of `text`, cut at a character boundary: what
/// the report shows of a clustered document.
fn excerpt_of(text: &str) -> String {
    let mut end = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;

    /// A scan whose `cancel` is set stops with `Error::Cancelled`; the same
    /// scan with it clear runs to the end.
    #[test]
    fn a_cancelled_scan_stops_with_cancelled() {
        let seeds = [PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))];
        let flag = Arc::new(AtomicBool::new(false));
        let config = Config { cancel: Some(Arc::clone(&flag)), ..Config::default() };
        let scan = super::scan(&seeds, &config).expect("runs to the end");
        assert_eq!(scan.docs.len(), 5);
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(matches!(super::scan(&seeds, &config), Err(Error::Cancelled)));
    }
}
