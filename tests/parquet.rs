//! Parquet input: files written here with the `parquet`/`arrow` crates, and
//! the exact accounting of their rows in `documents.jsonl`.

mod util;

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int64Array, LargeStringArray, StringArray, StringViewArray, UInt32Array};

use util::TestDir;
use util::parquet::{batch, write};

fn text(i: usize) -> String {
    format!("خبر رقم {i} عن الانتخابات في بغداد والبصرة والموصل")
}

#[test]
fn rows_of_several_row_groups_are_records_with_nulls_and_places() {
    let dir = TestDir::new("parquet-rows");
    let n = 1300;
    let texts: Vec<Option<String>> = (0..n).map(|i| if i % 100 == 7 { None } else { Some(text(i)) }).collect();
    let ids: Vec<Option<String>> = (0..n).map(|i| if i % 50 == 3 { None } else { Some(format!("doc-{i}")) }).collect();
    let urls: Vec<Option<String>> = (0..n).map(|i| Some(format!("https://www.site{}.iq/{i}", i % 3))).collect();
    let b = batch(vec![
        ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
        ("text", Arc::new(StringArray::from(texts.clone())) as ArrayRef),
        ("url", Arc::new(StringArray::from(urls)) as ArrayRef),
        ("date", Arc::new(StringArray::from(vec![Some("2024-05-01"); n])) as ArrayRef),
        ("other", Arc::new(Int64Array::from((0..n as i64).collect::<Vec<_>>())) as ArrayRef),
    ]);
    write(&dir, "in/a.parquet", &[b], 300);
    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    assert_eq!(docs.len(), n, "one record per row");
    for (i, d) in docs.iter().enumerate() {
        let row = i + 1;
        let want_id = if i % 50 == 3 { format!("in/a.parquet:{row}") } else { format!("doc-{i}") };
        assert_eq!(d["id"], want_id.as_str(), "{d}");
        assert_eq!(d["input"], "in/a.parquet");
        if i % 100 == 7 {
            assert_eq!(d["status"], "error", "{d}");
            let err = d["error"].as_str().unwrap();
            assert!(err.starts_with(&format!("in/a.parquet:{row}: ")) && err.contains("null"), "{err}");
        } else {
            assert_eq!(d["status"], "ok", "{d}");
            assert_eq!(d["bytes"], texts[i].as_ref().unwrap().len());
            assert_eq!(d["source"], format!("site{}.iq", i % 3).as_str());
            assert_eq!(d["date"], "2024-05-01");
        }
    }
    assert_eq!(out.summary["error"], 13);
    assert_eq!(out.summary["ok"], n - 13);
}

#[test]
fn dictionary_large_view_and_integer_columns() {
    let dir = TestDir::new("parquet-types");
    let n = 40;
    let texts: Vec<String> = (0..n).map(text).collect();
    let sources: DictionaryArray<Int32Type> =
        (0..n).map(|i| if i == 5 { None } else { Some(["rudaw", "alsumaria"][i % 2]) }).collect();
    let b = batch(vec![
        ("text", Arc::new(LargeStringArray::from(texts.clone())) as ArrayRef),
        ("id", Arc::new(UInt32Array::from((0..n as u32).map(|i| i * 1000).collect::<Vec<_>>())) as ArrayRef),
        ("source", Arc::new(sources) as ArrayRef),
        (
            "title",
            Arc::new(StringViewArray::from((0..n).map(|i| format!("عنوان {i}")).collect::<Vec<_>>())) as ArrayRef,
        ),
        ("published", Arc::new(StringArray::from(vec!["2020-01-01"; n])) as ArrayRef),
    ]);
    write(&dir, "b.parquet", &[b], 16);
    let out = dir.scan(&["b.parquet"]);
    let docs = &out.documents;
    assert_eq!(docs.len(), n);
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(d["status"], "ok", "{d}");
        assert_eq!(d["id"], (i * 1000).to_string().as_str(), "an integer id is its decimal text");
        let source = if i == 5 { (i * 1000).to_string() } else { ["rudaw", "alsumaria"][i % 2].to_string() };
        assert_eq!(d["source"], source.as_str(), "{d}");
        assert_eq!(d["title"], format!("عنوان {i}").as_str());
        assert_eq!(d["date"], "2020-01-01", "`published` when there is no `date`");
        assert_eq!(d["bytes"], texts[i].len());
    }
}

#[test]
fn a_dictionary_encoded_text_column_is_read() {
    let dir = TestDir::new("parquet-dict-text");
    let texts: DictionaryArray<Int32Type> = (0..10).map(|i| Some(["نص أول للخبر", "نص ثان للخبر"][i % 2])).collect();
    let b = batch(vec![("text", Arc::new(texts) as ArrayRef)]);
    write(&dir, "c.parquet", &[b], 4);
    let out = dir.scan(&["c.parquet"]);
    assert_eq!(out.documents.len(), 10);
    assert!(out.documents.iter().all(|d| d["status"] == "ok"));
    assert_eq!(out.documents[3]["id"], "c.parquet:4", "1-based rows, as JSONL lines");
}

#[test]
fn missing_text_column_corrupt_truncated_and_empty_files() {
    let dir = TestDir::new("parquet-bad");
    let good = batch(vec![
        ("id", Arc::new(StringArray::from(vec!["x", "y"])) as ArrayRef),
        ("content", Arc::new(StringArray::from(vec!["نص", "نص"])) as ArrayRef),
    ]);
    write(&dir, "in/1-notext.parquet", &[good], 10);
    dir.create("in/2-corrupt.parquet", b"PAR1 this is not really parquet PAR1");
    dir.create("in/3-empty.parquet", b"");
    let none = batch(vec![("text", Arc::new(StringArray::from(Vec::<String>::new())) as ArrayRef)]);
    write(&dir, "in/4-norows.parquet", &[none], 10);
    // A file cut in the middle: its footer is gone, so nothing of it can be read.
    let many: Vec<String> = (0..500).map(text).collect();
    let whole =
        write(&dir, "whole.parquet", &[batch(vec![("text", Arc::new(StringArray::from(many)) as ArrayRef)])], 100);
    let bytes = std::fs::read(&whole).unwrap();
    dir.create("in/5-cut.parquet", &bytes[..bytes.len() / 2]);
    // A file whose data pages are damaged but whose footer is whole: the rows
    // before the damage are kept, one error stands for the rest.
    let mut damaged = bytes.clone();
    let len = damaged.len();
    for b in &mut damaged[len / 4..len * 3 / 4] {
        *b = 0xAB;
    }
    dir.create("in/6-damaged.parquet", &damaged);
    let out = dir.scan(&["in"]);
    let docs = &out.documents;
    let err = |i: usize| docs[i]["error"].as_str().unwrap_or("").to_string();
    assert_eq!(docs[0]["status"], "error");
    assert_eq!(docs[0]["id"], "in/1-notext.parquet");
    assert!(err(0).contains("no `text` column") && err(0).contains("`id`, `content`"), "{}", err(0));
    assert_eq!(docs[1]["status"], "error");
    assert!(err(1).starts_with("in/2-corrupt.parquet: "), "{}", err(1));
    assert_eq!((&docs[2]["id"], &docs[2]["status"]), (&"in/3-empty.parquet".into(), &"empty".into()));
    assert_eq!((&docs[3]["id"], &docs[3]["status"]), (&"in/4-norows.parquet".into(), &"empty".into()));
    assert_eq!(docs[4]["status"], "error");
    assert!(err(4).starts_with("in/5-cut.parquet: "), "{}", err(4));
    let damaged: Vec<_> = docs[5..].iter().collect();
    assert!(damaged.iter().all(|d| d["input"] == "in/6-damaged.parquet"));
    let errors = damaged.iter().filter(|d| d["status"] == "error").count();
    assert!(errors >= 1, "{damaged:#?}");
    let last = damaged.last().unwrap();
    assert_eq!(last["status"], "error", "the error comes last, after the rows read: {last}");
    assert_eq!(damaged.len() - 1, damaged.iter().take_while(|d| d["status"] == "ok").count());
    assert!(damaged.len() < 500);
}

#[test]
fn extract_and_sign_read_parquet_like_scan() {
    let dir = TestDir::new("parquet-extract");
    let b = batch(vec![("text", Arc::new(StringArray::from(vec![Some("نص أول"), None, Some("نص ثالث")])) as ArrayRef)]);
    write(&dir, "a.parquet", &[b], 2);
    let got = dir.sada().args(["extract", "a.parquet"]).assert().success().get_output().stdout.clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(got).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
}

#[test]
fn field_names_name_jsonl_keys_and_parquet_columns() {
    let dir = TestDir::new("field-names");
    dir.create(
        "in/a.jsonl",
        concat!(
            "{\"doc_id\": 7, \"content\": \"نص أول\", \"link\": \"https://www.rudaw.net/1\", \"crawled\": \"2021\", \"headline\": \"ع\"}\n",
            "{\"doc_id\": \"b\", \"content\": \"نص ثان\", \"text\": \"ignored\", \"published\": \"2020\"}\n",
            "{\"id\": \"c\", \"text\": \"no content key\"}\n",
        ),
    );
    let b = batch(vec![
        ("doc_id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
        ("content", Arc::new(LargeStringArray::from(vec!["نص", "نص آخر"])) as ArrayRef),
        ("outlet", Arc::new(StringArray::from(vec!["shafaq", "rudaw"])) as ArrayRef),
        ("text", Arc::new(StringArray::from(vec!["not this", "nor this"])) as ArrayRef),
    ]);
    write(&dir, "in/b.parquet", &[b], 1);
    let fields = [
        "--text-field",
        "content",
        "--id-field",
        "doc_id",
        "--url-field",
        "link",
        "--source-field",
        "outlet",
        "--date-field",
        "crawled",
        "--title-field",
        "headline",
    ];
    let mut args = vec!["scan", "--quiet", "--out", "out"];
    args.extend(fields);
    args.push("in");
    dir.sada().args(&args).assert().success();
    let out = util::Outputs::read(&dir.join("out"));
    let docs = &out.documents;
    assert_eq!(docs.len(), 5, "{docs:#?}");
    assert_eq!(
        (&docs[0]["id"], &docs[0]["source"], &docs[0]["date"]),
        (&"7".into(), &"rudaw.net".into(), &"2021".into())
    );
    assert_eq!(docs[0]["title"], "ع");
    assert_eq!(docs[0]["bytes"], "نص أول".len());
    assert_eq!(docs[1]["id"], "b");
    assert!(docs[1].get("date").is_none(), "a named date field has no `published` fallback: {}", docs[1]);
    assert_eq!(docs[2]["status"], "error");
    let err = docs[2]["error"].as_str().unwrap();
    assert!(err.starts_with("in/a.jsonl:3: ") && err.contains("missing `content` field"), "{err}");
    assert_eq!(
        (&docs[3]["id"], &docs[3]["source"], &docs[3]["bytes"]),
        (&"1".into(), &"shafaq".into(), &"نص".len().into())
    );
    assert_eq!(docs[4]["id"], "2");
    assert_eq!(out.summary["parameters"]["fields"]["text"], "content", "{}", out.summary["parameters"]);

    // `sign` and `extract` take the same options and read the same records.
    let mut args = vec!["extract", "--quiet"];
    args.extend(fields);
    args.push("in");
    let got = dir.sada().args(&args).assert().success().get_output().stdout.clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(got).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines.iter().map(|l| l["id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["7", "b", "in/a.jsonl:3", "1", "2"]
    );
    assert_eq!(lines[3]["text"], "نص");
    let mut args = vec!["sign", "--quiet", "--format", "jsonl", "--out", "-"];
    args.extend(fields);
    args.push("in");
    let got = dir.sada().args(&args).assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8(got).unwrap().lines().count(), 5);

    // Defaults unchanged: without the options the JSONL's second line has its `text`,
    // and summary.json records no `fields`.
    let out = dir.scan(&["in/a.jsonl"]);
    assert_eq!(out.documents[1]["bytes"], "ignored".len());
    assert!(out.summary["parameters"].get("fields").is_none());
}

#[test]
fn a_field_name_for_two_parts_is_a_usage_error() {
    let dir = TestDir::new("field-names-clash");
    dir.create("a.jsonl", "{\"text\": \"نص\"}\n");
    let got = dir.sada().args(["scan", "--id-field", "text", "a.jsonl"]).assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&got.stderr);
    assert!(stderr.contains("--text-field") && stderr.contains("--id-field"), "{stderr}");
}
