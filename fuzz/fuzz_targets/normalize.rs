//! Fuzz target: normalization: spans and folding. See `sada::fuzzing::normalize`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sada::fuzzing::normalize(data));
