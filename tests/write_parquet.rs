//! `sada scan --write DIR` on Parquet: Parquet back, with the input's schema
//! and row groups, saying what the JSONL written from the same records says.

mod util;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Float64Array, LargeStringArray, RecordBatch, StringArray};
use serde_json::{Value, json};
use util::parquet::{batch, read, write};
use util::{TestDir, edited_variant, orthographic_variant, read_jsonl, seeds};

const HEADER: &str = "اشترك في نشرتنا البريدية لتصلك آخر الأخبار والتقارير الحصرية من مراسلينا في كل العواصم العربية والعالمية كل صباح مجانا";

/// Records with known clusters (`a1`–`a3`, `b1`/`b2`), a boilerplate header
/// on every seed, a null text: (id, text, score).
fn records() -> Vec<(String, Option<String>, f64)> {
    let s = seeds();
    let mut out: Vec<(String, Option<String>, f64)> = Vec::new();
    let with_header = |t: &str| format!("{HEADER}\n\n{t}");
    out.push(("a1".into(), Some(with_header(&s[0].1)), 0.5));
    out.push(("a2".into(), Some(with_header(&orthographic_variant(&s[0].1))), 0.25));
    out.push(("nul".into(), None, 1.0));
    out.push(("a3".into(), Some(with_header(&s[0].1)), 0.75));
    out.push(("b1".into(), Some(with_header(&s[1].1)), 2.0));
    out.push(("b2".into(), Some(edited_variant(&s[1].1)), 3.0));
    for (i, seed) in s.iter().enumerate().skip(2) {
        out.push((format!("s{i}"), Some(with_header(&seed.1)), i as f64));
    }
    out
}

/// The records as a Parquet file of `large_string` texts, three rows to a
/// row group, with a column sada does not read (all from one site, so
/// the header they share is its boilerplate).
fn parquet_input(dir: &TestDir, rel: &str) {
    let recs = records();
    let ids: ArrayRef = Arc::new(StringArray::from_iter_values(recs.iter().map(|r| r.0.clone())));
    let texts: ArrayRef = Arc::new(recs.iter().map(|r| r.1.clone()).collect::<LargeStringArray>());
    let scores: ArrayRef = Arc::new(Float64Array::from_iter_values(recs.iter().map(|r| r.2)));
    let source: ArrayRef = Arc::new(StringArray::from_iter_values(recs.iter().map(|_| "site.example")));
    write(dir, rel, &[batch(vec![("id", ids), ("text", texts), ("score", scores), ("source", source)])], 3);
}

/// The same records as JSON lines.
fn jsonl_input(dir: &TestDir, rel: &str) {
    let lines: Vec<String> = records()
        .iter()
        .map(|(id, text, score)| json!({"id": id, "text": text, "score": score, "source": "site.example"}).to_string())
        .collect();
    dir.create(rel, lines.join("\n") + "\n");
}

fn scan(dir: &TestDir, args: &[&str]) {
    dir.sada().args(["scan", "-q"]).args(args).assert().success();
}

/// Column `name` of `batches` as JSON values, row by row.
fn column(batches: &[RecordBatch], name: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for b in batches {
        let Some(c) = b.column_by_name(name) else { continue };
        for i in 0..c.len() {
            out.push(if c.is_null(i) { Value::Null } else { value(c.as_ref(), i) });
        }
    }
    out
}

fn value(c: &dyn Array, i: usize) -> Value {
    use arrow_schema::DataType;
    match c.data_type() {
        DataType::Utf8 => json!(c.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => json!(c.as_string::<i64>().value(i)),
        DataType::Float64 => json!(c.as_primitive::<Float64Type>().value(i)),
        DataType::UInt32 => json!(c.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => json!(c.as_primitive::<UInt64Type>().value(i)),
        DataType::Boolean => json!(c.as_boolean().value(i)),
        DataType::List(_) => {
            let items = c.as_list::<i32>().value(i);
            let s = items.as_struct();
            let rows: Vec<Value> = (0..s.len())
                .map(|j| {
                    json!({
                        "statement": value(s.column(0).as_ref(), j),
                        "start": value(s.column(1).as_ref(), j),
                        "end": value(s.column(2).as_ref(), j),
                        "boilerplate": value(s.column(3).as_ref(), j),
                    })
                })
                .collect();
            Value::Array(rows)
        }
        other => panic!("unexpected column type {other}"),
    }
}

/// Every `--keep` rule, annotated and stripped: the Parquet written holds
/// the records, texts and annotations the JSONL written holds, in the
/// input's schema plus the `sada_*` columns.
#[test]
fn parquet_written_says_what_jsonl_written_says() {
    let dir = TestDir::new("write-parquet-same");
    parquet_input(&dir, "p/news.parquet");
    jsonl_input(&dir, "j/news.jsonl");
    let names = ["sada_cluster", "sada_cluster_size", "sada_representative", "sada_duplicate", "sada_similarity"];
    for rule in ["all", "representative", "first", "longest", "earliest"] {
        let common = ["--annotate", "--strip-boilerplate", "--keep", rule];
        scan(
            &dir,
            &[&["--out", &format!("op-{rule}"), "--write", &format!("cp-{rule}")][..], &common, &["p"]].concat(),
        );
        scan(
            &dir,
            &[&["--out", &format!("oj-{rule}"), "--write", &format!("cj-{rule}")][..], &common, &["j"]].concat(),
        );
        let (batches, _) = read(&dir.join(&format!("cp-{rule}/news.parquet")));
        let lines = read_jsonl(&dir.join(&format!("cj-{rule}/news.jsonl")));
        assert!(!lines.is_empty());
        let schema = batches[0].schema();
        let fields: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            fields,
            [
                "id",
                "text",
                "score",
                "source",
                "sada_cluster",
                "sada_cluster_size",
                "sada_representative",
                "sada_duplicate",
                "sada_similarity",
                "sada_statements"
            ]
        );
        assert_eq!(schema.field(1).data_type(), &arrow_schema::DataType::LargeUtf8, "the text keeps its type");
        let ids = column(&batches, "id");
        let want_ids: Vec<Value> = lines.iter().map(|l| l["id"].clone()).collect();
        assert_eq!(ids, want_ids, "--keep {rule}: the same records, in input order");
        assert_eq!(column(&batches, "text"), lines.iter().map(|l| l["text"].clone()).collect::<Vec<_>>());
        assert_eq!(column(&batches, "score"), lines.iter().map(|l| l["score"].clone()).collect::<Vec<_>>());
        for name in names {
            let key = name.trim_start_matches("sada_");
            let want: Vec<Value> = lines.iter().map(|l| l["sada"].get(key).cloned().unwrap_or(Value::Null)).collect();
            // A record that is an error carries no annotation in JSONL; in
            // Parquet its row has nulls and `duplicate` false.
            let got = column(&batches, name);
            for ((g, w), l) in got.iter().zip(&want).zip(&lines) {
                if l["sada"].is_null() {
                    continue;
                }
                assert_eq!(g, w, "--keep {rule}, {name} of {}", l["id"]);
            }
        }
        let statements = column(&batches, "sada_statements");
        for (got, l) in statements.iter().zip(&lines) {
            if !l["sada"].is_null() {
                assert_eq!(got, &l["sada"]["statements"], "--keep {rule}: statements of {}", l["id"]);
            }
        }
        if rule != "all" {
            let texts = column(&batches, "text");
            assert!(texts.iter().all(|t| !t.as_str().unwrap().contains("نشرتنا")), "the header is cut");
        }
        // documents.jsonl says which rows were written.
        let docs = read_jsonl(&dir.join(&format!("op-{rule}/documents.jsonl")));
        let kept: Vec<Value> = docs.iter().filter(|d| d["kept"] == true).map(|d| d["id"].clone()).collect();
        assert_eq!(kept, ids, "--keep {rule}");
    }
}

/// Without `--annotate` the schema is the input's exactly; the row groups
/// are the input's, less the rows not kept; a file sada cannot read is
/// copied with `--keep all` and left out otherwise; and threads and the
/// memory limit change nothing.
#[test]
fn schema_row_groups_and_unreadable_files() {
    let dir = TestDir::new("write-parquet-shape");
    parquet_input(&dir, "in/news.parquet");
    let no_text: ArrayRef = Arc::new(StringArray::from(vec!["x", "y"]));
    write(&dir, "in/other.parquet", &[batch(vec![("body", no_text)])], 10);
    dir.create("in/broken.parquet", b"PAR1 this is not parquet");
    dir.create("in/empty.parquet", b"");
    scan(&dir, &["--out", "o1", "--write", "c1", "--keep", "first", "--threads", "1", "in"]);
    scan(&dir, &["--out", "o2", "--write", "c2", "--keep", "first", "--threads", "2", "--memory-limit", "1", "in"]);
    assert_eq!(
        std::fs::read(dir.join("c1/news.parquet")).unwrap(),
        std::fs::read(dir.join("c2/news.parquet")).unwrap(),
        "the same bytes whatever the threads and memory limit"
    );
    let (input, input_groups) = read(&dir.join("in/news.parquet"));
    let (out, out_groups) = read(&dir.join("c1/news.parquet"));
    assert_eq!(out[0].schema().fields(), input[0].schema().fields(), "the input's schema, nothing added");
    assert_eq!(input_groups, [3, 3, 3]);
    // Kept with --keep first: a1 (a2, a3 dropped), the null row dropped
    // (an error), b1 (b2 dropped), s2–s4.
    assert_eq!(column(&out, "id"), [json!("a1"), json!("b1"), json!("s2"), json!("s3"), json!("s4")]);
    assert_eq!(out_groups, [1, 1, 3], "one row group out per row group in");
    assert!(!dir.join("c1/other.parquet").exists() && !dir.join("c1/broken.parquet").exists());
    assert_eq!(std::fs::read(dir.join("c1/empty.parquet")).unwrap(), b"", "an empty record stays, as it was");
    let docs = read_jsonl(&dir.join("o1/documents.jsonl"));
    let errors: Vec<&Value> = docs.iter().filter(|d| d["status"] == "error").collect();
    assert_eq!(errors.len(), 3, "the null text, the file without `text`, the broken file");
    assert!(errors.iter().all(|d| d["kept"] == false));
    scan(&dir, &["--out", "o3", "--write", "c3", "--keep", "all", "in"]);
    for f in ["other.parquet", "broken.parquet", "news.parquet"] {
        assert!(!std::fs::read(dir.join(&format!("c3/{f}"))).unwrap().is_empty(), "{f}");
    }
    assert_eq!(std::fs::read(dir.join("c3/broken.parquet")).unwrap(), b"PAR1 this is not parquet");
    assert_eq!(read(&dir.join("c3/other.parquet")).0[0].num_rows(), 2, "copied as it was");
    let (all, all_groups) = read(&dir.join("c3/news.parquet"));
    assert_eq!(all_groups, input_groups);
    assert_eq!(column(&all, "text"), column(&input, "text"), "--keep all writes every row as it was");
}
