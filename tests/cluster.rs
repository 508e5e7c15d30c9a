//! `sada scan --hosts FILE --process I`: a cluster of real processes on
//! loopback writes the same files as one process. Every run has a deadline,
//! so a hung peer fails the test instead of hanging the build.
#![cfg(feature = "distributed")]

mod util;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use util::{TestDir, comparable_outputs, mixed_corpus};

/// How long a whole cluster run may take before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(180);

/// A hostfile of `n` free loopback ports.
fn hostfile(dir: &TestDir, name: &str, n: usize) -> String {
    // Bind to port 0 to be given free ports, then let them go for sada.
    let listeners: Vec<std::net::TcpListener> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let lines: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
    drop(listeners);
    dir.create(name, lines.join("\n") + "\n");
    name.to_string()
}

fn spawn(dir: &TestDir, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("sada"))
        .current_dir(dir.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for every child; kills them all and fails past [`DEADLINE`].
/// Returns each one's exit code and stderr.
fn wait_all(mut children: Vec<Child>) -> Vec<(Option<i32>, String)> {
    let start = Instant::now();
    loop {
        let done = children.iter_mut().all(|c| c.try_wait().unwrap().is_some());
        if done {
            break;
        }
        if start.elapsed() > DEADLINE {
            for c in &mut children {
                let _ = c.kill();
            }
            panic!("the cluster did not finish within {DEADLINE:?}: a peer hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
        })
        .collect()
}

/// Runs `n` processes over `in` into `out`; every one must succeed.
fn cluster_run(dir: &TestDir, n: usize, out: &str, extra: &[&str]) {
    cluster_run_each(dir, out, &vec![extra; n]);
}

/// Runs one process per entry of `extras` (its own options) over `in` into
/// `out`; every one must succeed.
fn cluster_run_each(dir: &TestDir, out: &str, extras: &[&[&str]]) {
    let n = extras.len();
    let hosts = hostfile(dir, &format!("hosts-{n}"), n);
    let children: Vec<Child> = extras
        .iter()
        .enumerate()
        .map(|(i, extra)| {
            let i = i.to_string();
            let mut args = vec!["scan", "--quiet", "--out", out, "--hosts", &hosts, "--process", &i];
            args.extend_from_slice(extra);
            args.push("in");
            spawn(dir, &args)
        })
        .collect();
    for (i, (code, stderr)) in wait_all(children).into_iter().enumerate() {
        assert_eq!(code, Some(0), "process {i} of {n} failed: {stderr}");
    }
}

#[test]
fn clusters_write_what_one_process_writes() {
    let dir = TestDir::new("cluster");
    mixed_corpus(&dir);
    dir.sada().args(["scan", "--quiet", "--out", "out-1", "in"]).assert().success();
    let one = comparable_outputs(&dir, "out-1");
    assert!(String::from_utf8_lossy(&one[1].1).lines().count() >= 5, "the corpus should make clusters");
    assert!(!one[2].1.is_empty(), "the corpus should have statements");
    // The third run spills everything and matches the anchor hash space in
    // 256 parts and the LSH bands one by one, each its own exchange. In the
    // last, the processes have different limits (the default limit is each
    // machine's own memory): they must still make the same exchanges.
    let (one_thread, spilled): (&[&str], &[&str]) = (&["--threads", "1"], &["--threads", "1", "--memory-limit", "2K"]);
    let runs: [(&[&[&str]], &str); 6] = [
        (&[one_thread; 1], "out-1p"),
        (&[one_thread; 3], "out-3"),
        (&[one_thread; 4], "out-4"),
        (&[&["--threads", "2"][..]; 2], "out-2"),
        (&[spilled; 2], "out-2-spilled"),
        (&[spilled, one_thread], "out-2-limits"),
    ];
    for (extras, out) in runs {
        cluster_run_each(&dir, out, extras);
        for ((name, a), (_, b)) in one.iter().zip(comparable_outputs(&dir, out)) {
            assert!(*a == b, "{name} differs between 1 process and {} processes ({extras:?})", extras.len());
        }
    }
    // Everything spills at 2K, in one process as in two: summary.json
    // counts every process's bytes, not process 0's alone.
    dir.sada().args(["scan", "--quiet", "--out", "out-1-spilled"]).args(spilled).arg("in").assert().success();
    let run = |out: &str| -> serde_json::Value {
        let summary = std::fs::read_to_string(dir.join(&format!("{out}/summary.json"))).unwrap();
        serde_json::from_str::<serde_json::Value>(&summary).unwrap()["run"]["spilled"].clone()
    };
    let (alone, two) = (run("out-1-spilled"), run("out-2-spilled"));
    for store in ["signatures", "words"] {
        assert!(alone[store].as_u64().unwrap() > 0, "{store} should spill at 2K");
        assert_eq!(alone[store], two[store], "{store} spilled by 1 and by 2 processes");
    }
}

/// `--write` in a cluster: process 0 writes the corpus, the same bytes one
/// process writes.
#[test]
fn a_cluster_writes_the_corpus_one_process_writes() {
    let dir = TestDir::new("cluster-write");
    mixed_corpus(&dir);
    let opts = ["--write", "", "--annotate", "--keep", "first"];
    let with = |clean: &'static str| -> Vec<&'static str> {
        opts.iter().map(|o| if o.is_empty() { clean } else { *o }).collect()
    };
    let one = with("clean-1");
    dir.sada().args(["scan", "--quiet", "--out", "out-1"]).args(&one).arg("in").assert().success();
    let two = with("clean-2");
    cluster_run(&dir, 2, "out-2", &two);
    let files = |root: &str| -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walk(&dir.join(root))
            .into_iter()
            .map(|p| (p.strip_prefix(dir.join(root)).unwrap().display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        out.sort();
        out
    };
    let (a, b) = (files("clean-1"), files("clean-2"));
    assert!(a.len() >= 2, "{:?}", a.iter().map(|f| &f.0).collect::<Vec<_>>());
    assert_eq!(a, b, "the written corpus differs between 1 process and 2");
}

/// Every file under `root`, recursively.
fn walk(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// `--resume` saves every stage; a rerun takes them all from disk, and after
/// losing the later checkpoints (as a crash during alignment would) it
/// starts again at the first missing stage — with the same outputs each time.
#[test]
fn resume_skips_the_stages_every_process_completed() {
    let dir = TestDir::new("cluster-resume");
    mixed_corpus(&dir);
    dir.sada().args(["scan", "--quiet", "--out", "out-1", "in"]).assert().success();
    let one = comparable_outputs(&dir, "out-1");
    let resumed = |dir: &TestDir| -> Vec<String> {
        let summary: serde_json::Value = serde_json::from_str(&dir.read("out/summary.json")).unwrap();
        summary["run"]["resumed"]
            .as_array()
            .map_or(Vec::new(), |a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
    };
    let all = ["analyze", "index", "verify", "cluster", "match", "align"];

    cluster_run(&dir, 2, "out", &["--resume"]);
    assert!(resumed(&dir).is_empty(), "a first run computes everything");
    for p in 0..2 {
        for stage in all {
            assert!(dir.join(&format!("out/.sada-stages/process-{p}-of-2/{stage}.bin")).exists(), "{stage} of {p}");
        }
    }
    cluster_run(&dir, 2, "out", &["--resume"]);
    assert_eq!(resumed(&dir), all, "a rerun takes every stage from its checkpoint");

    // Process 1 lost its alignment checkpoint: both processes align again.
    std::fs::remove_file(dir.join("out/.sada-stages/process-1-of-2/align.bin")).unwrap();
    cluster_run(&dir, 2, "out", &["--resume"]);
    assert_eq!(resumed(&dir), &all[..5]);
    for ((name, a), (_, b)) in one.iter().zip(comparable_outputs(&dir, "out")) {
        assert!(*a == b, "{name} differs after resuming");
    }

    // Other options, other run: nothing is reused.
    cluster_run(&dir, 2, "out", &["--resume", "--threshold", "0.7"]);
    assert!(resumed(&dir).is_empty(), "checkpoints of other options are not used");
}

/// The seeds, on one to four processes.
#[test]
fn the_seeds_on_one_to_four_processes() {
    let dir = TestDir::new("cluster-seeds");
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let path = entry.unwrap().path();
        dir.create(&format!("in/{}", path.file_name().unwrap().to_string_lossy()), std::fs::read(&path).unwrap());
    }
    dir.sada().args(["scan", "--quiet", "--out", "out-1", "in"]).assert().success();
    let one = comparable_outputs(&dir, "out-1");
    for n in 1..=4 {
        let out = format!("out-p{n}");
        cluster_run(&dir, n, &out, &[]);
        for ((name, a), (_, b)) in one.iter().zip(comparable_outputs(&dir, &out)) {
            assert!(*a == b, "{name} differs between 1 process and {n} processes");
        }
    }
}

/// Three "machines": each process on its own loopback address, with its own
/// output and spill directories (a memory limit small enough that every
/// store spills), sharing only the inputs.
#[test]
fn processes_on_their_own_addresses_and_directories() {
    let dir = TestDir::new("cluster-machines");
    mixed_corpus(&dir);
    dir.sada().args(["scan", "--quiet", "--out", "out-1", "in"]).assert().success();
    let one = comparable_outputs(&dir, "out-1");
    // A free port, then the same port on 127.0.0.1, .2 and .3.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    dir.create("hosts", (1..=3).map(|i| format!("127.0.0.{i}:{port}\n")).collect::<String>());
    let children: Vec<Child> = (0..3)
        .map(|i| {
            std::fs::create_dir_all(dir.join(&format!("spill-{i}"))).unwrap();
            let (i, out, spill) = (i.to_string(), format!("machine-{i}"), format!("spill-{i}"));
            let args = [
                "scan",
                "--quiet",
                "--out",
                &out,
                "--spill-dir",
                &spill,
                "--memory-limit",
                "2K",
                "--hosts",
                "hosts",
                "--process",
                &i,
                "in",
            ];
            spawn(&dir, &args)
        })
        .collect();
    for (i, (code, stderr)) in wait_all(children).into_iter().enumerate() {
        assert_eq!(code, Some(0), "process {i} failed: {stderr}");
    }
    for ((name, a), (_, b)) in one.iter().zip(comparable_outputs(&dir, "machine-0")) {
        assert!(*a == b, "{name} differs between 1 process and 3 machines");
    }
    for i in 1..3 {
        assert!(!dir.join(&format!("machine-{i}/documents.jsonl")).exists(), "only process 0 writes the outputs");
    }
}

/// A process killed mid-run makes its peers exit 1 naming it; the run
/// started again with `--resume` completes, taking what every process
/// saved, with the outputs of one process.
#[test]
fn a_killed_process_stops_its_peers_and_resume_completes() {
    let dir = TestDir::new("cluster-kill");
    mixed_corpus(&dir);
    // More records, so that the run outlasts the kill by far.
    let seeds: Vec<String> = (0..1500)
        .map(|i| {
            let words: String = (0..120).map(|w| format!("w{} ", (i * 7 + w * 13) % 997)).collect();
            serde_json::json!({"id": format!("x{i}"), "text": words}).to_string()
        })
        .collect();
    dir.create("in/more.jsonl", seeds.join("\n"));
    dir.sada().args(["scan", "--quiet", "--out", "out-1", "in"]).assert().success();
    let one = comparable_outputs(&dir, "out-1");

    let hosts = hostfile(&dir, "hosts-3", 3);
    let start = |i: usize| {
        let i = i.to_string();
        spawn(
            &dir,
            &[
                "scan",
                "--quiet",
                "--resume",
                "--threads",
                "1",
                "--out",
                "out",
                "--hosts",
                &hosts,
                "--process",
                &i,
                "in",
            ],
        )
    };
    let mut children: Vec<Child> = (0..3).map(start).collect();
    // Process 1 dies once it has saved its candidates (mid-run: clustering
    // and the statement stages are still to come). Its index stage
    // exchanged with every process, so all have saved their analyses.
    let saved = dir.join("out/.sada-stages/process-1-of-3/index.bin");
    let t = Instant::now();
    while !saved.exists() {
        assert!(t.elapsed() < DEADLINE, "process 1 never saved its candidates");
        std::thread::sleep(Duration::from_millis(5));
    }
    children[1].kill().unwrap();
    let results = wait_all(children);
    for i in [0, 2] {
        let (code, stderr) = &results[i];
        assert_eq!(*code, Some(1), "process {i} must fail when process 1 dies: {stderr}");
        assert!(stderr.contains("process 1"), "process {i} names the lost peer: {stderr}");
    }
    assert!(!dir.join("out/documents.jsonl").exists(), "a failed run writes nothing");

    let results = wait_all((0..3).map(start).collect());
    for (i, (code, stderr)) in results.into_iter().enumerate() {
        assert_eq!(code, Some(0), "process {i} of the resumed run failed: {stderr}");
    }
    let summary: serde_json::Value = serde_json::from_str(&dir.read("out/summary.json")).unwrap();
    assert_eq!(summary["run"]["resumed"][0], "analyze", "the analyses every process saved are used again");
    for ((name, a), (_, b)) in one.iter().zip(comparable_outputs(&dir, "out")) {
        assert!(*a == b, "{name} differs after a killed run resumed");
    }
}

#[test]
fn a_missing_peer_is_an_error_after_the_connect_timeout() {
    let dir = TestDir::new("cluster-missing");
    dir.create("in/a.txt", "وقال وزير الخارجية الروسي سيرغي لافروف");
    let hosts = hostfile(&dir, "hosts", 2);
    // Process 1 alone: process 0 never answers.
    let lone =
        spawn(&dir, &["scan", "--out", "out", "--hosts", &hosts, "--process", "1", "--connect-timeout", "1", "in"]);
    let (code, stderr) = wait_all(vec![lone]).remove(0);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("process 0") && stderr.contains("did not answer"), "{stderr}");
    assert!(!dir.join("out").exists(), "nothing written");
}

/// Processes started with different options refuse to run together (they
/// would exchange different things), each saying why, and all exit.
#[test]
fn processes_with_different_options_refuse_to_run_together() {
    let dir = TestDir::new("cluster-mismatch");
    dir.create("in/a.txt", "وقال وزير الخارجية الروسي سيرغي لافروف إن بلاده مستعدة");
    let hosts = hostfile(&dir, "hosts", 2);
    let children = vec![
        spawn(&dir, &["scan", "--quiet", "--out", "out", "--hosts", &hosts, "--process", "0", "in"]),
        spawn(
            &dir,
            &["scan", "--quiet", "--out", "out", "--hosts", &hosts, "--process", "1", "--threshold", "0.7", "in"],
        ),
    ];
    for (i, (code, stderr)) in wait_all(children).into_iter().enumerate() {
        assert_eq!(code, Some(1), "process {i}: {stderr}");
        assert!(stderr.contains("not started with the same"), "process {i}: {stderr}");
    }
    assert!(!dir.join("out/documents.jsonl").exists());
}

#[test]
fn a_process_number_outside_the_hostfile_is_a_usage_error() {
    let dir = TestDir::new("cluster-usage");
    dir.create("in/a.txt", "نص");
    let hosts = hostfile(&dir, "hosts", 2);
    let out = dir.sada().args(["scan", "--hosts", &hosts, "--process", "2", "in"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("--process") && stderr.contains("0 to 1"), "{stderr}");
    dir.sada().args(["scan", "--hosts", &hosts, "in"]).assert().code(2);
}
