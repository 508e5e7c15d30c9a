//! Splitting a JSONL file into lines, in place where it can be.

use std::io::{self, BufRead};

/// Calls `f` with the next line of `reader`, without its `\n`, and returns
/// what `f` returns; `None` at the end of the input.
///
/// `read_until` would do, but it copies every line into `spill` and finds the
/// newline with the standard library's portable `memchr`, which was 3% of
/// `sada sign` (callgrind) against a fraction of that for the `memchr` crate's
/// vectorized search. Here a line that lies whole in the reader's buffer (all
/// but the few that straddle a refill of its 256 KiB) is handed to `f` in place.
pub(super) fn next_line<R>(
    reader: &mut dyn BufRead,
    spill: &mut Vec<u8>,
    f: impl FnOnce(&[u8]) -> R,
) -> io::Result<Option<R>> {
    spill.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            // The end of the input; a last line without a newline is a line.
            return Ok((!spill.is_empty()).then(|| f(spill)));
        }
        match memchr::memchr(b'\n', available) {
            Some(at) => {
                let out = if spill.is_empty() {
                    f(&available[..at])
                } else {
                    spill.extend_from_slice(&available[..at]);
                    f(spill)
                };
                reader.consume(at + 1);
                return Ok(Some(out));
            }
            None => {
                let n = available.len();
                spill.extend_from_slice(available);
                reader.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `input` through `next_line`, read with a buffer of `cap` bytes.
    fn lines(input: &[u8], cap: usize) -> Vec<Vec<u8>> {
        let mut reader = io::BufReader::with_capacity(cap, input);
        let mut spill = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, &mut spill, <[u8]>::to_vec).expect("reading a slice") {
            out.push(line);
        }
        out
    }

    #[test]
    fn lines_are_the_same_whatever_the_buffer() {
        let input = "{\"text\": \"سطر أول\"}\r\n\n  \nلا سطر جديد في آخره".as_bytes();
        let expected: Vec<Vec<u8>> = input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        // 1 and 3 bytes straddle every line and split characters; 256 holds the whole input.
        for cap in [1, 3, 7, 256] {
            assert_eq!(lines(input, cap), expected, "buffer of {cap} bytes");
        }
    }

    #[test]
    fn a_final_newline_ends_the_last_line_and_adds_none() {
        assert_eq!(lines(b"a\nb\n", 2), [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(lines(b"\n", 2), [Vec::<u8>::new()]);
        assert!(lines(b"", 2).is_empty());
    }
}
