//! Replays every input kept under `tests/data/fuzz/<target>/` through the
//! same `sada::fuzzing` function the fuzz target of that name calls (see
//! `fuzz/README.md`), so the fixes stay checked without cargo-fuzz.
//!
//! A crash found by `cargo fuzz run <target>` is kept by copying its
//! `fuzz/artifacts/<target>/crash-…` file into `tests/data/fuzz/<target>/`,
//! under a name that says what it was. The seed inputs of the fuzzers
//! (`fuzz/seeds/<target>/`) are replayed too.

use std::path::{Path, PathBuf};

/// The files of `dir` (relative to the crate), sorted by name; none if it
/// does not exist.
fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs `check` on every kept crash of `target` and on its seed inputs
/// (`fuzz/seeds/<target>/`), naming the file that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let crashes = files(&format!("tests/data/fuzz/{target}"));
    let seeds = files(&format!("fuzz/seeds/{target}"));
    assert!(!seeds.is_empty(), "no seeds for {target}");
    for path in crashes.iter().chain(&seeds) {
        let bytes = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| check(&bytes)).is_err() {
            panic!("{} fails (replay with `cargo fuzz run {target} {}`)", path.display(), path.display());
        }
    }
}

#[test]
fn jsonl() {
    replay("jsonl", sada::fuzzing::jsonl);
}

#[test]
fn warc() {
    replay("warc", sada::fuzzing::warc);
}

#[test]
fn html() {
    replay("html", sada::fuzzing::html);
}

#[test]
fn normalize() {
    replay("normalize", sada::fuzzing::normalize);
}

/// The entry points themselves hold on a few plain inputs, so a kept crash
/// that passes is not passing because an entry point checks nothing.
#[test]
fn entry_points_accept_ordinary_input() {
    sada::fuzzing::jsonl(b"\xEF\xBB\xBF{\"id\":1,\"text\":\"\xd9\x86\xd8\xb5\"}\r\n\r\nnot json\n[1]\n");
    sada::fuzzing::jsonl(b"");
    let record =
        b"WARC/1.1\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:x>\r\nContent-Length: 4\r\n\r\ntext\r\n\r\n";
    for mode in 0..4u8 {
        let mut input = vec![mode];
        input.extend_from_slice(record);
        sada::fuzzing::warc(&input);
    }
    sada::fuzzing::html(b"\x01<html><body><p>\xd9\x86\xd8\xb5</p></body></html>");
    sada::fuzzing::normalize("أَحمد ومدرسة\u{200F} ﻻ Straße".as_bytes());
}
