//! Fuzz target: HTML main-text extraction. See `sada::fuzzing::html`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sada::fuzzing::html(data));
