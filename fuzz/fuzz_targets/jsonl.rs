//! Fuzz target: JSONL files and lines: exact accounting, plain = .gz = .zst. See `sada::fuzzing::jsonl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sada::fuzzing::jsonl(data));
