//! Fuzz target: WARC/WET streams, plain, .gz and .zst. See `sada::fuzzing::warc`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sada::fuzzing::warc(data));
