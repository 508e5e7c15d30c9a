//! Golden outputs on the seeds: `sada scan seeds/` must write exactly the
//! files under `tests/golden/seeds/` (summary.json without its `run` part,
//! which holds timings). `SADA_BLESS=1 cargo test --test golden` rewrites
//! them; review the diff like code.

mod util;

use std::path::Path;

use util::TestDir;

const FILES: [&str; 3] = ["documents.jsonl", "clusters.jsonl", "statements.jsonl"];

#[test]
fn seeds_match_golden_outputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden = root.join("tests/golden/seeds");
    let dir = TestDir::new("golden");
    let out = dir.join("out");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("sada");
    cmd.current_dir(root).args(["scan", "--quiet", "--out"]).arg(&out).arg("seeds").assert().success();

    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    summary.as_object_mut().unwrap().remove("run");
    let summary = serde_json::to_string_pretty(&summary).unwrap() + "\n";

    let mut actual: Vec<(String, String)> =
        FILES.iter().map(|f| (f.to_string(), std::fs::read_to_string(out.join(f)).unwrap())).collect();
    actual.push(("summary.json".into(), summary));

    if std::env::var_os("SADA_BLESS").is_some() {
        std::fs::create_dir_all(&golden).unwrap();
        for (name, text) in &actual {
            std::fs::write(golden.join(name), text).unwrap();
        }
        return;
    }
    for (name, text) in &actual {
        let expected = std::fs::read_to_string(golden.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (run SADA_BLESS=1 cargo test --test golden)"));
        assert!(
            *text == expected,
            "{name} differs from tests/golden/seeds/{name}\n~~~ expected\n{expected}~~~ actual\n{text}~~~\n(if the change is intended: SADA_BLESS=1 cargo test --test golden)"
        );
    }
}
