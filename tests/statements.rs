//! Recycled statements (issue #3): passages that documents share, as
//! `sada scan` writes them to `statements.jsonl`.
//!
//! Every test runs the built binary on a small corpus made from the seed
//! articles and checks the output contract (`docs/output-contract.md`):
//! what is found (the Lavrov quotes of seeds 000 and 002, planted quotes), what
//! is not (stock phrases, text inside a near-duplicate cluster), how
//! occurrences are located (byte spans on char and word boundaries of the text
//! as read), what a statement is made of (one statement per passage, the
//! earliest dated document as its origin, site templates and strings of
//! formulas as boilerplate) and that none of it depends on document order or
//! thread count.
//!
//! Generated corpora come from a fixed-seed generator, so every failure is
//! reproducible; failure messages name the generator seed.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use sada::normalize::Analyzer;
use serde_json::Value;
use util::{Outputs, Rng, TestDir, edited_variant, orthographic_variant, seeds};

const SEED_000: &str = "000_93dd4bcf26f3ba91";
const SEED_002: &str = "002_75f94ab31a74d308";

/// Lavrov's first statement as seed 000 quotes it…
const ARMS_000: &str = "روسيا مستعدة لتلبية طلبات بغداد فيما يتعلق بالتسليح والتعاون العسكري";
/// …and as seed 002 does, with «العراق» for «بغداد».
const ARMS_002: &str = "روسيا مستعدة لتلبية طلبات العراق فيما يتعلق بالتسليح والتعاون العسكري";
/// Lavrov's second statement, word for word in both seeds.
const RELATIONS: &str = "علاقة روسيا مع العراق لا تمنع أن تكون لديه علاقات مع الغرب ودول الجوار";

/// Formulas every outlet repeats; on their own they are not statements.
const STOCK_PHRASES: [&str; 4] = [
    "وزير الخارجية الروسي سيرغي لافروف",
    "تعزيز العلاقات الثنائية بين البلدين",
    "وزير الخارجية العراقي فؤاد حسين",
    "رئيس الوزراء العراقي مصطفى الكاظمي",
];

/// The default alignment parameters, as `summary.json` reports them; the
/// tests read the actual values from there and only use these to check that
/// the run used the defaults.
const MIN_IDENTITY: f64 = 0.6;
const MIN_WORDS: usize = 8;

// ---------------------------------------------------------------------------
// Generated corpora.

/// Sentences of the seed articles (split at full stops, question marks and
/// line breaks; at least four words each), without any that shares four
/// consecutive folded words with an earlier one: the Lavrov quotes, seed
/// 002's repeated «منوها الى ان الفرصة متاحة لمزيد من مشاركة الشركات
/// الروسية في», stock phrases. Any set of these sentences shares no passage.
fn sentence_pool() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: BTreeSet<Vec<String>> = BTreeSet::new();
    for (_, text) in seeds() {
        for s in text.split(['.', '\n', '؟', '!']) {
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let grams: Vec<Vec<String>> = folded(&s).windows(4).map(<[String]>::to_vec).collect();
            if grams.len() >= 2 && grams.iter().all(|g| !seen.contains(g)) {
                seen.extend(grams);
                out.push(s);
            }
        }
    }
    out
}

/// Hands out seed sentences in a random order, each at most once, so that
/// the texts it produces share nothing unless a test plants it.
struct Gen {
    rng: Rng,
    pool: Vec<String>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = Rng(seed);
        let mut pool = sentence_pool();
        rng.shuffle(&mut pool);
        Gen { rng, pool }
    }

    /// Fresh sentences totalling at least `words` words.
    fn sentences(&mut self, words: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut n = 0;
        while n < words {
            let s = self.pool.pop().expect("the seed sentences ran out: use a smaller corpus");
            n += s.split(' ').count();
            out.push(s);
        }
        out
    }

    /// Running text of fresh sentences, cut to exactly `n` words.
    fn words(&mut self, n: usize) -> String {
        let text = self.sentences(n).join(" ");
        text.split(' ').take(n).collect::<Vec<_>>().join(" ")
    }

    /// Fresh sentences totalling at least `words` words, as a paragraph.
    fn filler(&mut self, words: usize) -> String {
        self.sentences(words).join(". ") + "."
    }

    /// `text` with `count` of its words replaced by words of no seed, at
    /// distinct random positions at least `spacing` apart.
    fn substitute(&mut self, text: &str, count: usize, spacing: usize) -> String {
        const SUBSTITUTES: [&str; 6] = ["مغايرة", "بديلة", "مستحدثة", "منقحة", "معدلة", "محورة"];
        let mut words: Vec<String> = text.split(' ').map(String::from).collect();
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..1000 {
            if chosen.len() == count {
                break;
            }
            let p = self.rng.below(words.len());
            if chosen.iter().all(|&c| c.abs_diff(p) >= spacing) {
                chosen.push(p);
            }
        }
        assert_eq!(chosen.len(), count, "cannot place {count} substitutions {spacing} apart in {text}");
        for p in chosen {
            words[p] = SUBSTITUTES[self.rng.below(SUBSTITUTES.len())].to_string();
        }
        words.join(" ")
    }
}

/// A generated document; `source` defaults to the id, as for a `.txt` file.
#[derive(Clone, Debug, Default)]
struct Doc {
    id: String,
    text: String,
    source: Option<String>,
    date: Option<String>,
}

/// Builds a document's text from pieces, remembering where the marked ones
/// (planted quotes) landed.
#[derive(Default)]
struct Builder {
    text: String,
    marks: Vec<Range<usize>>,
}

impl Builder {
    fn push(&mut self, s: &str) -> &mut Builder {
        self.text.push_str(s);
        self
    }

    fn mark(&mut self, s: &str) -> &mut Builder {
        let start = self.text.len();
        self.text.push_str(s);
        self.marks.push(start..self.text.len());
        self
    }
}

/// A quote planted in several documents: `(document index, byte range of the
/// copy in its text)`.
type Planted = Vec<(usize, Range<usize>)>;

/// A corpus of `ndocs` documents of seed sentences (40–100 words each) with
/// `nquotes` quotes of 12–60 words planted at sentence boundaries of 2 or 3
/// random documents each. The first copy is verbatim; the others have one
/// word in ten replaced and, when `orthographic`, are respelled with
/// [`orthographic_variant`]. Copies are sometimes introduced by a lead-in and
/// put between quotation marks.
fn planted_corpus(seed: u64, ndocs: usize, nquotes: usize, orthographic: bool) -> (Vec<Doc>, Vec<Planted>) {
    const WRAPPERS: [(&str, &str); 4] = [("", ""), ("وقال المتحدث إن «", "»"), ("وأضاف: “", "”"), ("(", ")")];
    let mut g = Gen::new(seed);
    // Each document is a list of pieces; `Some(q)` marks a copy of quote q.
    let mut pieces: Vec<Vec<(Option<usize>, String)>> = (0..ndocs)
        .map(|_| {
            let n = 40 + g.rng.below(61);
            g.sentences(n).into_iter().map(|s| (None, s)).collect()
        })
        .collect();
    for q in 0..nquotes {
        let len = 12 + g.rng.below(49);
        let quote = g.words(len);
        let copies = 2 + usize::from(g.rng.below(3) == 0);
        let mut docs: Vec<usize> = (0..ndocs).collect();
        g.rng.shuffle(&mut docs);
        for (j, &d) in docs[..copies].iter().enumerate() {
            let mut copy = quote.clone();
            if j > 0 {
                copy = g.substitute(&copy, len / 10, 4);
                if orthographic {
                    copy = orthographic_variant(&copy);
                }
            }
            let at = g.rng.below(pieces[d].len() + 1);
            pieces[d].insert(at, (Some(q), copy));
        }
    }
    let mut planted: Vec<Planted> = vec![Vec::new(); nquotes];
    let mut docs = Vec::new();
    for (d, doc) in pieces.into_iter().enumerate() {
        let mut b = Builder::default();
        for (i, (quote, s)) in doc.into_iter().enumerate() {
            if i > 0 {
                // Sometimes an emoji: a surrogate pair in `\u` escapes.
                b.push([". ", ". ", ".\n\n", "، 📰 "][g.rng.below(4)]);
            }
            match quote {
                None => {
                    b.push(&s);
                }
                Some(q) => {
                    let (open, close) = WRAPPERS[g.rng.below(WRAPPERS.len())];
                    b.push(open).mark(&s).push(close);
                    planted[q].push((d, b.marks.last().unwrap().clone()));
                }
            }
        }
        b.push(".\n");
        docs.push(Doc { id: format!("doc{d:02}"), text: b.text, ..Doc::default() });
    }
    (docs, planted)
}

// ---------------------------------------------------------------------------
// Writing inputs.

/// A JSON string literal with every non-ASCII character written as a `\u`
/// escape (surrogate pairs beyond the BMP), so that byte offsets in the file
/// and in the decoded text differ everywhere.
fn json_ascii(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// One JSONL line for `doc`; `ascii` escapes all non-ASCII text.
fn jsonl_line(doc: &Doc, ascii: bool) -> String {
    let text = if ascii { json_ascii(&doc.text) } else { serde_json::to_string(&doc.text).unwrap() };
    let mut line = format!("{{\"id\": {}, \"text\": {text}", serde_json::to_string(&doc.id).unwrap());
    if let Some(s) = &doc.source {
        line.push_str(&format!(", \"source\": {}", serde_json::to_string(s).unwrap()));
    }
    if let Some(d) = &doc.date {
        line.push_str(&format!(", \"date\": {}", serde_json::to_string(d).unwrap()));
    }
    line.push_str("}\n");
    let decoded: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(decoded["text"], doc.text.as_str(), "the test's own JSON encoding");
    line
}

fn write_jsonl(dir: &TestDir, rel: &str, docs: &[&Doc], ascii: bool) {
    dir.create(rel, docs.iter().map(|d| jsonl_line(d, ascii)).collect::<String>());
}

/// Writes each document as `{folder}/{id}.txt` (its id and source are then the
/// file stem).
fn write_txt(dir: &TestDir, folder: &str, docs: &[&Doc]) {
    for d in docs {
        assert!(d.source.is_none() && d.date.is_none(), "a .txt file has neither source nor date");
        dir.create(&format!("{folder}/{}.txt", d.id), &d.text);
    }
}

/// Texts by id, as the checks need them.
fn texts(docs: &[Doc]) -> BTreeMap<String, String> {
    docs.iter().map(|d| (d.id.clone(), d.text.clone())).collect()
}

/// The seed articles as documents, with their file stems as ids.
fn seed_docs() -> Vec<Doc> {
    seeds()
        .into_iter()
        .map(|(name, text)| Doc { id: name.trim_end_matches(".txt").to_string(), text, ..Doc::default() })
        .collect()
}

// ---------------------------------------------------------------------------
// Reading and checking statements.

/// An occurrence as `statements.jsonl` gives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Occ {
    doc: String,
    start: usize,
    end: usize,
}

fn occurrences(st: &Value) -> Vec<Occ> {
    st["occurrences"]
        .as_array()
        .expect("occurrences is an array")
        .iter()
        .map(|o| Occ {
            doc: o["doc"].as_str().expect("doc is a string").to_string(),
            start: o["start"].as_u64().expect("start is a number") as usize,
            end: o["end"].as_u64().expect("end is a number") as usize,
        })
        .collect()
}

/// `text[occ]`, for occurrences already checked by [`check_contract`].
fn span<'a>(texts: &'a BTreeMap<String, String>, o: &Occ) -> &'a str {
    &texts[&o.doc][o.start..o.end]
}

fn folded(s: &str) -> Vec<String> {
    Analyzer::new().words(s)
}

/// Length of the longest common subsequence: words matched in order.
fn lcs(a: &[String], b: &[String]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diag = 0;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diag + 1 } else { row[j + 1].max(row[j]) };
            diag = up;
        }
    }
    row[b.len()]
}

/// Punctuation that must not begin or end a reported passage.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || "«»“”„‘’،؛؟…–—".contains(c)
}

/// Checks every statement of `out` against the contract, for documents with
/// the given texts (the texts as read: file contents, decoded JSON strings):
///
/// * `docs` and `sources` count the distinct documents and sources of the
///   occurrences, at least two documents each, and each occurrence's source
///   is its document's;
/// * each occurrence's `start..end` is a non-empty range of the text on char
///   boundaries that starts at the first byte of a word and ends at the last
///   byte of one (so no leading or trailing space or punctuation), and
///   `words` is the number of words in it;
/// * `text` is the passage of one of the occurrences, the representative, in
///   the origin's document when there is an origin;
/// * with `Identity::Checked`, the occurrences are the same passage: at least
///   `min_identity` of each occurrence's folded words are matched, in order,
///   in the representative's; and when the statement is a single pair of
///   occurrences, that holds for the longer of the two, as for an alignment.
///   (The representative can be longer than an occurrence aligned with some
///   other one: with three copies of a quote, one may have lost its first
///   words to substitutions, while the representative is the union of two
///   overlapping occurrences.) This need not hold when a statement joins,
///   through overlapping occurrences in one document, a passage with a part
///   of it quoted elsewhere (`Identity::Unchecked`).
fn check_contract(out: &Outputs, texts: &BTreeMap<String, String>) {
    check_statements(out, texts, Identity::Checked);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Identity {
    Checked,
    Unchecked,
}

fn check_statements(out: &Outputs, texts: &BTreeMap<String, String>, identity: Identity) {
    let min_identity = out.summary["parameters"]["passage"]["align"]["min_identity"].as_f64().unwrap();
    assert_eq!(min_identity, MIN_IDENTITY, "the tests assume the default alignment parameters");
    let mut analyzer = Analyzer::new();
    for st in &out.statements {
        let occ = occurrences(st);
        let docs: BTreeSet<&str> = occ.iter().map(|o| o.doc.as_str()).collect();
        assert!(docs.len() >= 2, "a statement is shared by 2+ documents: {st}");
        assert_eq!(st["docs"], docs.len(), "{st}");
        assert_eq!(st["boilerplate"] == true, st.get("boilerplate_kind").is_some(), "a reason iff boilerplate: {st}");
        let sources: BTreeSet<&str> =
            st["occurrences"].as_array().unwrap().iter().map(|o| o["source"].as_str().unwrap()).collect();
        assert_eq!(st["sources"], sources.len(), "{st}");
        let mut sorted = occ.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), occ.len(), "repeated occurrence: {st}");
        for (o, raw) in occ.iter().zip(st["occurrences"].as_array().unwrap()) {
            assert_eq!(raw["source"], out.doc(&o.doc)["source"], "{st}");
            let text = texts.get(&o.doc).unwrap_or_else(|| panic!("unknown document {}", o.doc));
            assert!(o.start < o.end && o.end <= text.len(), "span {o:?} outside its text ({}): {st}", text.len());
            assert!(
                text.is_char_boundary(o.start) && text.is_char_boundary(o.end),
                "span {o:?} not on char boundaries: {st}"
            );
            let tokens = analyzer.tokens(text);
            let inside: Vec<_> =
                tokens.iter().filter(|t| t.span.start as usize >= o.start && t.span.end as usize <= o.end).collect();
            assert!(
                inside.first().is_some_and(|t| t.span.start as usize == o.start)
                    && inside.last().is_some_and(|t| t.span.end as usize == o.end),
                "span {o:?} does not begin and end on a word: {:?}",
                &text[o.start..o.end]
            );
            let p = &text[o.start..o.end];
            let (first, last) = (p.chars().next().unwrap(), p.chars().next_back().unwrap());
            assert!(
                !first.is_whitespace() && !is_punctuation(first) && !last.is_whitespace() && !is_punctuation(last),
                "span {o:?} has space or punctuation at an edge: {p:?}"
            );
            assert_eq!(raw["words"], inside.len(), "words of {o:?} = {p:?}");
        }
        let text = st["text"].as_str().unwrap();
        let rep = occ
            .iter()
            .filter(|o| st.get("origin").is_none_or(|origin| origin["doc"] == o.doc.as_str()))
            .find(|o| span(texts, o) == text)
            .unwrap_or_else(|| panic!("the text is no occurrence's passage (of the origin, if any): {st}"));
        let rep_words = folded(text);
        let pair = occ.len() == 2;
        for o in occ.iter().filter(|_| identity == Identity::Checked) {
            let w = folded(span(texts, o));
            let of = if pair { w.len().max(rep_words.len()) } else { w.len() };
            let identity = lcs(&w, &rep_words) as f64 / of as f64;
            assert!(
                identity >= min_identity,
                "occurrence {o:?} matches only {identity:.2} of {} in the representative {rep:?}:\n{:?}\n{text:?}",
                if pair { "the longer one's words" } else { "its words" },
                span(texts, o)
            );
        }
    }
}

/// Byte overlap of two ranges.
fn overlap(a: &Range<usize>, b: &Range<usize>) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// Index of the statement that has, in every document where `quote` was
/// planted, an occurrence covering at least half of that copy; panics naming
/// the quote otherwise.
fn find_planted(out: &Outputs, docs: &[Doc], quote: &Planted, context: &str) -> usize {
    out.statements
        .iter()
        .position(|st| {
            let occ = occurrences(st);
            quote
                .iter()
                .all(|(d, r)| occ.iter().any(|o| o.doc == docs[*d].id && 2 * overlap(&(o.start..o.end), r) >= r.len()))
        })
        .unwrap_or_else(|| {
            let copies: Vec<_> = quote.iter().map(|(d, r)| (&docs[*d].id, &docs[*d].text[r.clone()])).collect();
            panic!("{context}: planted quote not found: {copies:#?}\nstatements: {:#?}", out.statements)
        })
}

/// The statements as comparable values: occurrences as a sorted set, counts,
/// boilerplate flag, origin and, `with_text`, the text. Independent of
/// statement numbers and of the order of lines and occurrences.
fn canonical(out: &Outputs, with_text: bool) -> BTreeSet<String> {
    out.statements
        .iter()
        .map(|st| {
            let mut occ = occurrences(st);
            occ.sort();
            let text = if with_text { st["text"].to_string() } else { String::new() };
            format!(
                "{occ:?} docs={} sources={} boilerplate={} origin={} {text}",
                st["docs"], st["sources"], st["boilerplate"], st["origin"]["doc"]
            )
        })
        .collect()
}

/// Panics with the differences if `a` and `b` differ.
fn assert_same_statements(a: &BTreeSet<String>, b: &BTreeSet<String>, what: &str) {
    let only_a: Vec<_> = a.difference(b).collect();
    let only_b: Vec<_> = b.difference(a).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: only in the first run {only_a:#?}\nonly in the second {only_b:#?}"
    );
}

/// The statements whose passages (in some occurrence) contain `needle`.
fn containing<'a>(out: &'a Outputs, texts: &BTreeMap<String, String>, needle: &str) -> Vec<&'a Value> {
    out.statements.iter().filter(|st| occurrences(st).iter().any(|o| span(texts, o).contains(needle))).collect()
}

// ---------------------------------------------------------------------------
// The seeds.

/// The acceptance case of issue #3: seeds 000 and 002 both quote Lavrov
/// twice; those two statements, and nothing else, are found, each with a
/// passage covering the quote in both documents.
#[test]
fn seeds_000_and_002_share_exactly_the_two_lavrov_statements() {
    let dir = TestDir::new("lavrov");
    let out = dir.scan(&[concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")]);
    let texts = texts(&seed_docs());
    check_contract(&out, &texts);
    assert_eq!(out.statements.len(), 2, "two statements and no other: {:#?}", out.statements);
    assert_eq!(out.summary["statements"], 2);
    assert_eq!(out.summary["cross_source_statements"], 2);
    assert_eq!(out.summary["boilerplate_statements"], 0);

    // (statement, its words in seed 000, its words in seed 002)
    for (what, in_000, in_002) in [("arms", ARMS_000, ARMS_002), ("relations", RELATIONS, RELATIONS)] {
        let found = containing(&out, &texts, in_002);
        assert_eq!(found.len(), 1, "the {what} statement is one statement: {found:#?}");
        let st = found[0];
        assert_eq!(st["boilerplate"], false);
        assert_eq!(st["sources"], 2);
        let occ = occurrences(st);
        let docs: BTreeSet<&str> = occ.iter().map(|o| o.doc.as_str()).collect();
        assert_eq!(docs, BTreeSet::from([SEED_000, SEED_002]), "{what}: {st}");
        for (doc, quote) in [(SEED_000, in_000), (SEED_002, in_002)] {
            // The passage covers the whole quote, without running far past it.
            let covering: Vec<&str> =
                occ.iter().filter(|o| o.doc == doc).map(|o| span(&texts, o)).filter(|p| p.contains(quote)).collect();
            assert_eq!(covering.len(), 1, "{what}: one passage of {doc} covers «{quote}»: {st}");
            let extra = folded(covering[0]).len() - folded(quote).len();
            assert!(extra <= 3, "{what}: the passage of {doc} runs {extra} words past the quote: {:?}", covering[0]);
        }
    }
}

/// Stock phrases («وزير الخارجية الروسي سيرغي لافروف», «تعزيز العلاقات
/// الثنائية بين البلدين», …) occur in several seeds. No statement of the seeds
/// may be such a phrase, or such a phrase with a word or two around it:
/// removing the stock phrases from any occurrence leaves a passage of at
/// least `min_words` words.
#[test]
fn no_seed_statement_is_just_a_stock_phrase() {
    let dir = TestDir::new("stock-seeds");
    let out = dir.scan(&[concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")]);
    let texts = texts(&seed_docs());
    assert_eq!(out.summary["parameters"]["passage"]["align"]["min_words"], MIN_WORDS);
    let stock: Vec<Vec<String>> = STOCK_PHRASES.iter().map(|p| folded(p)).collect();
    // The premise: the two phrases are really shared by several seeds.
    for (phrase, words) in STOCK_PHRASES.iter().zip(&stock).take(2) {
        let holders = texts.values().filter(|t| folded(t).windows(words.len()).any(|w| w == words)).count();
        assert!(holders >= 2, "«{phrase}» is in {holders} seed(s)");
    }
    assert!(!out.statements.is_empty());
    for st in &out.statements {
        for o in occurrences(st) {
            let mut words = folded(span(&texts, &o));
            for phrase in &stock {
                while let Some(i) = words.windows(phrase.len()).position(|w| w == phrase.as_slice()) {
                    words.drain(i..i + phrase.len());
                }
            }
            assert!(words.len() >= MIN_WORDS, "an occurrence is mostly stock phrases: {:?} in {st}", span(&texts, &o));
        }
    }
}

/// Two articles from different outlets that share only stock phrases —
/// each phrase used several times, in different sentences — have no
/// statement in common. (Two phrases a few words apart in one sentence are
/// another matter: see the next test.)
#[test]
fn documents_sharing_only_stock_phrases_have_no_statement() {
    let mut g = Gen::new(11);
    let a = [
        "وقال وزير الخارجية الروسي سيرغي لافروف في تصريح للصحفيين عقب لقائه نظيره إن بلاده ماضية في دعم الحكومة",
        "وشدد الجانبان على ضرورة تعزيز العلاقات الثنائية بين البلدين في مختلف المجالات الاقتصادية",
        "واستقبل رئيس الوزراء العراقي مصطفى الكاظمي الوفد الزائر في مكتبه صباح اليوم",
        "وأشار وزير الخارجية العراقي فؤاد حسين إلى أهمية الزيارة في هذا التوقيت",
        "ونقلت وسائل إعلام محلية أن وزير الخارجية الروسي سيرغي لافروف سيعقد مؤتمرا صحفيا مساء الغد",
        "وتسعى الحكومة إلى تعزيز العلاقات الثنائية بين البلدين عبر اتفاقيات جديدة",
    ];
    let b = [
        "وأكد وزير الخارجية الروسي سيرغي لافروف خلال اتصال هاتفي أهمية تنسيق المواقف إزاء الأزمة",
        "ودعا الرئيس إلى تعزيز العلاقات الثنائية بين البلدين وتوسيع آفاق التعاون التجاري",
        "من جهته بحث رئيس الوزراء العراقي مصطفى الكاظمي ملف الطاقة مع الشركات الأجنبية",
        "ولم يصدر عن وزير الخارجية العراقي فؤاد حسين أي تعليق حتى الآن",
        "وكان وزير الخارجية الروسي سيرغي لافروف قد زار المنطقة العام الماضي",
        "ويأمل المسؤولون أن تسهم الزيارة في تعزيز العلاقات الثنائية بين البلدين مستقبلا",
    ];
    let mut docs = Vec::new();
    for (id, stock) in [("outlet_a", a), ("outlet_b", b)] {
        let mut text = String::new();
        for s in stock {
            text.push_str(&g.filler(25));
            text.push(' ');
            text.push_str(s);
            text.push_str(".\n\n");
        }
        docs.push(Doc { id: id.into(), text, ..Doc::default() });
    }
    let dir = TestDir::new("stock-only");
    write_txt(&dir, "in", &docs.iter().collect::<Vec<_>>());
    let out = dir.scan(&["in"]);
    assert!(out.statements.is_empty(), "stock phrases are not statements: {:#?}", out.statements);
    assert_eq!(out.summary["statements"], 0);

    // The check can fail: one real shared sentence between the same two
    // documents is found.
    let quote = "إن العراق لن يكون ساحة لتصفية الحسابات بين الدول الكبرى ولا منطلقا للاعتداء على جيرانه";
    for d in &mut docs {
        d.text.push_str(&format!("وقال المسؤول «{quote}».\n"));
    }
    write_txt(&dir, "in2", &docs.iter().collect::<Vec<_>>());
    let out = dir.scan(&["in2"]);
    check_contract(&out, &texts(&docs));
    assert_eq!(out.statements.len(), 1, "{:#?}", out.statements);
    assert!(out.statements[0]["text"].as_str().unwrap().contains(quote));
}

/// Two stock phrases a few words apart make a passage of 16 words that two
/// documents share with 13 of them identical — but when the rest of the
/// corpus uses both phrases in other contexts, it is a string of formulas,
/// reported as boilerplate of kind `formula` and not counted. A real quote
/// introduced by the same formula, in two other documents of that corpus,
/// stays a statement.
///
/// Both phrases are at least `window + anchor_words - 1` = 6 words long, so
/// winnowing keeps one of each phrase's own anchors in every document that
/// uses it whatever the word hash: their document frequency is then known,
/// and together they cover half the passage. (With a 5-word stock phrase,
/// whether its anchors were kept elsewhere depended on the hashes of the
/// words around it, and the test passed or failed with the word hash.)
#[test]
fn stock_phrases_strung_together_are_a_formula_when_the_corpus_uses_them_elsewhere() {
    const LEAD: &str = "وقال وزير الخارجية الروسي سيرغي لافروف إن";
    const STOCK: &str = "تعزيز العلاقات الثنائية بين البلدين الصديقين";
    const QUOTE: &str = "العراق لن يكون ساحة لتصفية الحسابات بين الدول الكبرى ولا منطلقا للاعتداء على جيرانه";
    let mut g = Gen::new(13);
    let mut docs = Vec::new();
    let mut quoted: Planted = Vec::new();
    for i in 0..10 {
        let mut b = Builder::default();
        b.push(&g.filler(15)).push(" ");
        match i {
            0 => b.push(&format!("{LEAD} بلاده تسعى إلى {STOCK}.")),
            1 => b.push(&format!("{LEAD} موسكو ترغب في {STOCK}.")),
            _ => b.push(&format!("{LEAD} {}. {} {STOCK}.", g.words(8), g.words(6))),
        };
        if i == 2 || i == 3 {
            b.push(&format!(" {LEAD} «")).mark(QUOTE).push("».");
            quoted.push((i, b.marks[0].clone()));
        }
        b.push(" ").push(&g.filler(15));
        docs.push(Doc { id: format!("outlet{i}"), text: b.text, ..Doc::default() });
    }
    let dir = TestDir::new("formula");
    write_txt(&dir, "in", &docs.iter().collect::<Vec<_>>());
    let out = dir.scan(&["in"]);
    let texts = texts(&docs);
    check_contract(&out, &texts);
    let glued: Vec<&Value> = out
        .statements
        .iter()
        .filter(|st| occurrences(st).iter().any(|o| o.doc == "outlet0" || o.doc == "outlet1"))
        .collect();
    // (Today it is found, as a formula. In a corpus of these two documents
    // alone nothing tells the phrases are stock, and it is a statement.)
    assert!(glued.len() <= 1, "{glued:#?}");
    for st in &glued {
        assert_eq!(st["boilerplate_kind"], "formula", "stock phrases strung together are a formula: {st}");
    }
    let q = &out.statements[find_planted(&out, &docs, &quoted, "the quote")];
    assert_eq!(q["boilerplate"], false, "a quote after a formula is news: {q}");
    assert_eq!(out.summary["statements"], 1, "{:#?}", out.statements);
    // Everything else the corpus shares is stock: the glued phrases, and
    // any stock phrase two documents happen to share with a word around it.
    let boilerplate = out.statements.iter().filter(|st| st["boilerplate"] == true).count();
    assert_eq!(boilerplate, out.statements.len() - 1, "{:#?}", out.statements);
    assert_eq!(out.summary["boilerplate_statements"], boilerplate);
}

// ---------------------------------------------------------------------------
// Properties over generated corpora.

/// Planted quotes of 12–60 words, copied into 2 or 3 documents with one word
/// in ten replaced (and, in every other corpus, respelled), are found in every
/// copy; every statement satisfies the contract checks of [`check_contract`]
/// (spans on char and word boundaries, aligned with the representative); and
/// no statement is found where nothing was planted. Each corpus is read twice:
/// as `.txt` files and as one JSONL file whose non-ASCII text is all `\u`
/// escapes, so offsets must be into the decoded string — both runs must give
/// the same `statements.jsonl`, byte for byte.
#[test]
fn planted_quotes_are_found_with_spans_on_word_boundaries_in_txt_and_jsonl() {
    const CORPORA: u64 = 16;
    let dir = TestDir::new("planted");
    let mut found = 0;
    for seed in 1..=CORPORA {
        let (docs, planted) = planted_corpus(seed, 8, 5, seed % 2 == 0);
        let texts = texts(&docs);
        let refs: Vec<&Doc> = docs.iter().collect();
        let txt = format!("txt{seed}");
        write_txt(&dir, &txt, &refs);
        let jsonl = format!("corpus{seed}.jsonl");
        write_jsonl(&dir, &jsonl, &refs, true);
        let mut results = Vec::new();
        for input in [&txt, &jsonl] {
            // Shown with a failure: which corpus it was.
            println!("corpus seed {seed}, input {input}");
            let out = dir.scan(&[input]);
            assert!(out.clusters.is_empty(), "seed {seed}: the documents are not near-duplicates");
            check_contract(&out, &texts);
            for quote in &planted {
                find_planted(&out, &docs, quote, &format!("seed {seed}, {input}"));
                found += 1;
            }
            // Precision: every statement is (part of) a planted quote.
            for st in &out.statements {
                let hit = occurrences(st).iter().any(|o| {
                    planted.iter().flatten().any(|(d, r)| docs[*d].id == o.doc && overlap(&(o.start..o.end), r) > 0)
                });
                assert!(hit, "seed {seed}, {input}: a statement nobody planted: {st}");
            }
            results.push(dir.read("out/statements.jsonl"));
        }
        assert_eq!(results[0], results[1], "seed {seed}: .txt and .jsonl inputs disagree");
    }
    assert_eq!(found, CORPORA * 5 * 2);
}

/// The statements of a corpus do not depend on the order of its documents
/// (JSONL lines reversed and shuffled; directories given in the other order)
/// nor on the thread count (1 or 3 threads: `statements.jsonl` byte-identical).
/// The corpus mixes generated documents with planted quotes, the seeds (the
/// Lavrov statements, where both occurrences have the same number of words),
/// and a reprint cluster.
#[test]
fn statements_do_not_depend_on_document_order_or_thread_count() {
    let (mut docs, planted) = planted_corpus(42, 10, 8, true);
    docs.extend(seed_docs());
    docs.push(Doc { id: "reprint_000".into(), text: orthographic_variant(&docs[10].text), ..Doc::default() });
    let texts = texts(&docs);
    let dir = TestDir::new("order");

    let forward: Vec<&Doc> = docs.iter().collect();
    let reversed: Vec<&Doc> = docs.iter().rev().collect();
    let mut shuffled = forward.clone();
    Rng(7).shuffle(&mut shuffled);
    write_jsonl(&dir, "forward.jsonl", &forward, false);
    write_jsonl(&dir, "reversed.jsonl", &reversed, false);
    write_jsonl(&dir, "shuffled.jsonl", &shuffled, true);
    let (first, second) = forward.split_at(forward.len() / 2);
    write_txt(&dir, "p", first);
    write_txt(&dir, "q", second);

    let run = |args: &[&str]| {
        let out = dir.scan(args);
        // The generated documents are made of seed sentences, and the seeds
        // are in the corpus too: passages nest, so occurrences are not all
        // aligned with the representative.
        check_statements(&out, &texts, Identity::Unchecked);
        (canonical(&out, true), dir.read("out/statements.jsonl"), out)
    };
    let (reference, bytes_1, out) = run(&["--threads", "1", "forward.jsonl"]);
    for quote in &planted {
        find_planted(&out, &docs, quote, "forward.jsonl");
    }
    assert!(reference.len() >= 10, "{reference:#?}");
    let (_, bytes_3, _) = run(&["--threads", "3", "forward.jsonl"]);
    assert!(bytes_1 == bytes_3, "statements.jsonl differs between --threads 1 and 3");

    for args in [&["reversed.jsonl"][..], &["shuffled.jsonl"], &["q", "p"], &["p", "q"]] {
        let (set, _, _) = run(args);
        assert_same_statements(&reference, &set, &format!("forward.jsonl against {args:?}"));
    }
}

// ---------------------------------------------------------------------------
// What a statement is.

/// A site footer of 16 words at the end of six articles of one source is
/// boilerplate; a quote shared by two other sources is news. `summary.json`
/// counts them apart.
#[test]
fn a_footer_repeated_across_one_source_is_boilerplate_and_a_shared_quote_is_not() {
    const FOOTER: &str =
        "جميع الحقوق محفوظة لموقع الشرق الإخباري ولا يسمح بإعادة النشر دون ذكر المصدر والإشارة إليه برابط";
    let mut g = Gen::new(5);
    let mut docs: Vec<Doc> = (0..6)
        .map(|i| Doc {
            id: format!("sharq-{i}"),
            text: format!("{}\n\n{FOOTER}\n", g.filler(45)),
            source: Some("alsharq.example".into()),
            ..Doc::default()
        })
        .collect();
    let quote = g.words(20);
    let mut planted: Planted = Vec::new();
    for (i, source) in ["rudaw.example", "alsumaria.example"].into_iter().enumerate() {
        let copy = if i == 0 { quote.clone() } else { g.substitute(&quote, 2, 4) };
        let mut b = Builder::default();
        b.push(&g.filler(40)).push("\n\nوقال إن «").mark(&copy).push("».\n\n").push(&g.filler(40));
        planted.push((docs.len(), b.marks[0].clone()));
        docs.push(Doc { id: format!("{source}-1"), text: b.text, source: Some(source.into()), ..Doc::default() });
    }
    let dir = TestDir::new("boilerplate");
    write_jsonl(&dir, "in.jsonl", &docs.iter().collect::<Vec<_>>(), false);
    let out = dir.scan(&["in.jsonl"]);
    let texts = texts(&docs);
    check_contract(&out, &texts);
    assert_eq!(out.statements.len(), 2, "the footer and the quote: {:#?}", out.statements);

    let footer = containing(&out, &texts, FOOTER);
    assert_eq!(footer.len(), 1, "{footer:#?}");
    assert_eq!(footer[0]["boilerplate"], true, "{}", footer[0]);
    assert_eq!(footer[0]["boilerplate_kind"], "template", "{}", footer[0]);
    assert_eq!(footer[0]["docs"], 6);
    assert_eq!(footer[0]["sources"], 1);

    let q = &out.statements[find_planted(&out, &docs, &planted, "the quote")];
    assert_eq!(q["boilerplate"], false, "{q}");
    assert!(q.get("boilerplate_kind").is_none(), "{q}");
    assert_eq!(q["sources"], 2);
    assert_eq!(q["docs"], 2);

    assert_eq!(out.summary["statements"], 1, "boilerplate is not counted as a statement");
    assert_eq!(out.summary["cross_source_statements"], 1);
    assert_eq!(out.summary["boilerplate_statements"], 1);
}

/// With dated JSONL records, a statement's `origin` is the earliest dated
/// document and its `text` is that document's passage — even though that
/// passage is not the longest occurrence and the record is neither first nor
/// last in the file. Undated documents cannot be the origin.
#[test]
fn the_origin_is_the_earliest_dated_document_and_gives_the_text() {
    let mut g = Gen::new(9);
    let quote = g.words(24);
    // The three later copies carry six more shared words after the quote,
    // so the earliest one's passage is the shortest.
    let tail = "وذلك بحسب ما نقلته وكالات الأنباء";
    let early = orthographic_variant(&g.substitute(&quote, 2, 4));
    let copies = [
        ("late", Some("2021-03-05"), format!("{quote} {tail}")),
        ("undated", None, format!("{quote} {tail}")),
        ("early", Some("2021-03-01"), early),
        ("middle", Some("2021-03-03"), format!("{} {tail}", g.substitute(&quote, 1, 4))),
    ];
    let docs: Vec<Doc> = copies
        .into_iter()
        .enumerate()
        .map(|(i, (id, date, copy))| Doc {
            id: id.into(),
            text: format!("{}\n\nوقال الوزير إن «{copy}».\n\n{}", g.filler(30 + 10 * i), g.filler(30)),
            source: Some(format!("{id}.example")),
            date: date.map(String::from),
        })
        .collect();
    let dir = TestDir::new("origin");
    write_jsonl(&dir, "in.jsonl", &docs.iter().collect::<Vec<_>>(), false);
    let out = dir.scan(&["in.jsonl"]);
    let texts = texts(&docs);
    check_contract(&out, &texts);
    assert_eq!(out.statements.len(), 1, "{:#?}", out.statements);
    let st = &out.statements[0];
    assert_eq!(st["docs"], 4, "{st}");
    assert_eq!(st["origin"]["doc"], "early", "{st}");
    assert_eq!(st["origin"]["date"], "2021-03-01", "{st}");
    assert_eq!(st["origin"]["source"], "early.example", "{st}");
    let occ = occurrences(st);
    let early = occ.iter().find(|o| o.doc == "early").expect("an occurrence in the earliest document");
    assert_eq!(st["text"], span(&texts, early), "the text is the origin's passage");
    let late = occ.iter().find(|o| o.doc == "late").unwrap();
    assert_ne!(span(&texts, early), span(&texts, late), "the test needs copies that differ");
    assert!(
        texts["late"].contains(&format!("{quote} {tail}")),
        "and later copies that share more words with each other than with the origin"
    );
    assert!(span(&texts, late).len() < format!("{quote} {tail}").len(), "which the statement leaves out");
    // Each occurrence carries its document's date, when it has one.
    for o in st["occurrences"].as_array().unwrap() {
        let doc = docs.iter().find(|d| o["doc"] == d.id.as_str()).unwrap();
        assert_eq!(o.get("date").and_then(Value::as_str), doc.date.as_deref(), "{o}");
    }
}

/// A 250-word passage republished with one word in ten replaced at random
/// places is ONE statement with one occurrence in each document, covering
/// nearly all of it — not a string of short statements.
#[test]
fn a_long_passage_with_scattered_substitutions_is_one_statement() {
    let dir = TestDir::new("granularity");
    for seed in [3u64, 14, 15] {
        let mut g = Gen::new(seed);
        let passage = g.words(250);
        let copy = g.substitute(&passage, 25, 1);
        let mut docs = Vec::new();
        let mut ranges = Vec::new();
        for (id, p) in [("first", &passage), ("second", &copy)] {
            let mut b = Builder::default();
            b.push(&g.filler(60)).push("\n\n").mark(p).push(".\n\n").push(&g.filler(60));
            ranges.push(b.marks[0].clone());
            docs.push(Doc { id: format!("{id}_{seed}"), text: b.text, ..Doc::default() });
        }
        let folder = format!("in{seed}");
        write_txt(&dir, &folder, &docs.iter().collect::<Vec<_>>());
        let out = dir.scan(&[&folder]);
        let texts = texts(&docs);
        check_contract(&out, &texts);
        assert_eq!(out.statements.len(), 1, "seed {seed}: one statement: {:#?}", out.statements);
        let occ = occurrences(&out.statements[0]);
        assert_eq!(occ.len(), 2, "seed {seed}: one occurrence per document: {occ:?}");
        for (o, (d, r)) in occ.iter().zip(docs.iter().zip(&ranges)) {
            assert_eq!(o.doc, d.id);
            let covered = overlap(&(o.start..o.end), r) as f64 / r.len() as f64;
            assert!(covered >= 0.9, "seed {seed}: {} covers {covered:.2} of the passage", d.id);
        }
    }
}

/// Seed 000 and two reprints of it (respelled; respelled and edited) form a
/// near-duplicate cluster. The text its members share is the cluster's
/// business, not a statement; but quotes shared with documents outside the
/// cluster — seed 002's Lavrov quotes, and a sentence of seed 000 quoted in an
/// article made from seed 004 — are statements, found in the cluster members.
#[test]
fn text_shared_inside_a_cluster_is_no_statement_but_quotes_shared_with_outsiders_are() {
    let seeds = seed_docs();
    let s000 = &seeds[0];
    let s004 = &seeds[4];
    let quote = "نثمن تقدير العراق حول جاهزيته للمساعدة بتسوية الأزمة في سوريا، ونقدر المشاركة العراقية في مؤتمر مساعدة اللاجئين بدمشق";
    assert!(s000.text.contains(quote));
    let paras: Vec<&str> = s004.text.split("\n\n").collect();
    let half = paras.len() / 2;
    let quoting = format!("{}\n\nوقال لافروف: «{quote}».\n\n{}", paras[..half].join("\n\n"), paras[half..].join("\n\n"));
    let docs = vec![
        s000.clone(),
        seeds[2].clone(),
        Doc { id: "100_reprint".into(), text: orthographic_variant(&s000.text), ..Doc::default() },
        Doc { id: "101_edited".into(), text: orthographic_variant(&edited_variant(&s000.text)), ..Doc::default() },
        Doc { id: "300_quoting".into(), text: quoting, ..Doc::default() },
    ];
    let dir = TestDir::new("cluster");
    write_txt(&dir, "in", &docs.iter().collect::<Vec<_>>());
    let out = dir.scan(&["in"]);
    let texts = texts(&docs);
    check_contract(&out, &texts);

    let c = out.cluster_of(SEED_000).expect("seed 000 and its reprints cluster");
    assert_eq!(out.cluster_of("100_reprint"), Some(c));
    assert_eq!(out.cluster_of("101_edited"), Some(c));
    assert_eq!(out.cluster_of(SEED_002), None);
    assert_eq!(out.cluster_of("300_quoting"), None);
    let members = [SEED_000, "100_reprint", "101_edited"];

    // No statement lies entirely inside the cluster.
    for st in &out.statements {
        let outside = occurrences(st).iter().filter(|o| !members.contains(&o.doc.as_str())).count();
        assert!(outside > 0, "a statement between members of one cluster: {st}");
    }
    // The quotes shared with outsiders are found, in the cluster members too.
    for (what, outsider, needle) in
        [("arms", SEED_002, ARMS_002), ("relations", SEED_002, RELATIONS), ("quoted", "300_quoting", quote)]
    {
        let found = containing(&out, &texts, needle);
        assert_eq!(found.len(), 1, "{what}: {found:#?}");
        let docs: BTreeSet<String> = occurrences(found[0]).into_iter().map(|o| o.doc).collect();
        assert!(docs.contains(outsider), "{what}: {docs:?}");
        for m in [SEED_000, "100_reprint"] {
            assert!(docs.contains(m), "{what}: the quote is found in cluster member {m}: {docs:?}");
        }
    }
    assert_eq!(out.statements.len(), 3, "{:#?}", out.statements);
}

/// A statement's `text` must not depend on the order in which documents are
/// read. Two documents quote the same sentence, one with a word changed, so
/// both passages have the same number of words: ties between occurrences are
/// broken by document id, not by which was read first.
#[test]
fn the_text_of_a_statement_does_not_depend_on_document_order() {
    const QUOTE: &str = "إن العراق لن يكون ساحة لتصفية الحسابات بين الدول الكبرى ولا منطلقا للاعتداء على جيرانه";
    let mut g = Gen::new(21);
    let docs = [("a", QUOTE.to_string()), ("b", QUOTE.replace("الكبرى", "العظمى"))].map(|(id, copy)| Doc {
        id: id.into(),
        text: format!("{}\n\nوقال «{copy}».\n", g.filler(30)),
        ..Doc::default()
    });
    let dir = TestDir::new("text-order");
    write_jsonl(&dir, "ab.jsonl", &[&docs[0], &docs[1]], false);
    write_jsonl(&dir, "ba.jsonl", &[&docs[1], &docs[0]], false);
    let ab = dir.scan(&["ab.jsonl"]);
    let ba = dir.scan(&["ba.jsonl"]);
    assert_eq!(ab.statements.len(), 1, "{:#?}", ab.statements);
    assert_same_statements(&canonical(&ab, false), &canonical(&ba, false), "occurrences");
    assert_same_statements(&canonical(&ab, true), &canonical(&ba, true), "with the text");
}

// ---------------------------------------------------------------------------
// Widely recycled text.

/// `n` words of Arabic letters that no other call with another `key`
/// produces, and no seed holds (three or more letters in base 28).
fn unique_words(key: usize, n: usize) -> String {
    const LETTERS: [char; 28] = [
        'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ', 'ع', 'غ', 'ف', 'ق', 'ك',
        'ل', 'م', 'ن', 'ه', 'و', 'ي',
    ];
    (0..n)
        .map(|i| {
            let mut x = key * 100_000 + i + 28 * 28;
            let mut w = String::from("ظظ");
            while x > 0 {
                w.push(LETTERS[x % 28]);
                x /= 28;
            }
            w
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A 40-word paragraph recycled by 65, then 200, documents of different
/// sources is one statement holding every one of them: frequent anchors
/// bound work, not recall (it vanished past `--max-df` 64 before).
#[test]
fn a_paragraph_in_more_documents_than_max_df_is_still_one_statement() {
    for n in [65usize, 200] {
        let paragraph = unique_words(0, 40);
        let docs: Vec<Doc> = (0..n)
            .map(|i| Doc {
                id: format!("d{i:03}"),
                text: format!("{}.\n\n{paragraph}.\n\n{}.", unique_words(2 * i + 1, 30), unique_words(2 * i + 2, 20)),
                source: Some(format!("site{i:03}.example")),
                ..Doc::default()
            })
            .collect();
        let dir = TestDir::new(&format!("widely-{n}"));
        write_jsonl(&dir, "in.jsonl", &docs.iter().collect::<Vec<_>>(), false);
        let out = dir.scan(&["in.jsonl"]);
        let texts = texts(&docs);
        check_contract(&out, &texts);
        let found = containing(&out, &texts, &paragraph);
        assert_eq!(found.len(), 1, "{n} documents: {:#?}", out.statements);
        let st = found[0];
        assert_eq!(st["docs"], n, "{n} documents: {st}");
        assert_eq!(occurrences(st).len(), n, "one occurrence per document: {st}");
        assert_eq!(st["boilerplate"], false, "{n} sites, one document each: news");
    }
}

/// The same comment form on seven blogs, each repeating it on five of its
/// posts, is a template although no one source holds half the documents.
#[test]
fn a_template_on_many_sites_is_boilerplate() {
    const FORM: &str = "اترك تعليقا لن يتم نشر عنوان بريدك الإلكتروني الحقول الإلزامية مشار إليها بعلامة احفظ اسمي وبريدي الإلكتروني والموقع في هذا المتصفح";
    let docs: Vec<Doc> = (0..35)
        .map(|i| Doc {
            id: format!("blog{}-{}", i / 5, i % 5),
            text: format!("{}.\n\n{FORM}\n", unique_words(i + 1, 40)),
            source: Some(format!("blog{}.example", i / 5)),
            ..Doc::default()
        })
        .collect();
    let dir = TestDir::new("comment-form");
    write_jsonl(&dir, "in.jsonl", &docs.iter().collect::<Vec<_>>(), false);
    let out = dir.scan(&["in.jsonl"]);
    let texts = texts(&docs);
    let found = containing(&out, &texts, FORM);
    assert_eq!(found.len(), 1, "{:#?}", out.statements);
    assert_eq!(found[0]["docs"], 35, "{}", found[0]);
    assert_eq!(found[0]["boilerplate"], true, "{}", found[0]);
    assert_eq!(found[0]["boilerplate_kind"], "template", "{}", found[0]);
    assert_eq!(out.summary["statements"], 0, "no news among them: {:#?}", out.statements);
}
