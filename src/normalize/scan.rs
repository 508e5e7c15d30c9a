//! The word loop: finds the words of the original text and folds each into a
//! [`Sink`], by table for ASCII and the Arabic block (several letters at a
//! time), character by character for the rest, through NFKC for words the
//! tables cannot fold.

use super::alone::alone;
use super::fold::fold_general;
use super::sink::Sink;
use super::table::{Kind, TABLES, Tables, arabic_index};
use crate::model::Span;

/// The word loop behind [`Analyzer::for_each_word`] and
/// [`Analyzer::tokens_into`]: calls `f(span, sink)` at the end of every word
/// whose sink is not empty.
///
/// ASCII and the Arabic block (two-byte sequences with lead bytes 0xD8–0xDB)
/// are decoded by hand and folded by table lookup; other characters are
/// decoded as `char`s and classified. Profiling `sada sign` showed `char`
/// decoding and `String::push` at a third of the run before this. Where a
/// word starts with an ASCII or Arabic letter, [`whole_words`] takes over until a
/// word or what follows it needs this character-by-character loop.
///
/// [`Analyzer::for_each_word`]: super::Analyzer::for_each_word
/// [`Analyzer::tokens_into`]: super::Analyzer::tokens_into
#[inline]
pub(super) fn scan<S: Sink>(text: &str, sink: &mut S, mut f: impl FnMut(Span, &S)) {
    let tables = &*TABLES;
    let bytes = text.as_bytes();
    sink.clear();
    // Byte offsets of the current word in `text`: first letter and one past
    // its last letter or mark.
    let mut start: Option<usize> = None;
    let mut end = 0usize;
    let mut complex = false;
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        if start.is_none() && (b0 & 0xFC == 0xD8 || tables.ascii_letters[usize::from(b0)] != 0) {
            let (next, open) = match b0 < 0x80 {
                true => whole_words::<Ascii, S>(bytes, i, tables, sink, &mut f),
                false => whole_words::<ArabicBlock, S>(bytes, i, tables, sink, &mut f),
            };
            if let Some(word) = open {
                start = Some(word);
                end = next;
            }
            if next != i {
                i = next;
                continue;
            }
        }
        let (e, len) = if b0 < 0x80 {
            (tables.ascii[b0 as usize], 1)
        } else if b0 & 0xFC == 0xD8 && i + 1 < bytes.len() {
            (tables.arabic[arabic_index(b0, bytes[i + 1])], 2)
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            let e = tables.other(c);
            if alone(c, e) {
                // A letter of a script written without spaces is a word of
                // its own: it ends the word before it.
                if let Some(s) = start.take() {
                    emit(text, s, end, complex, sink, &mut f);
                    complex = false;
                }
                let complex = e.kind() == Kind::Complex;
                if !complex {
                    sink.push(e.code());
                }
                emit(text, i, i + c.len_utf8(), complex, sink, &mut f);
                i += c.len_utf8();
                continue;
            }
            (e, c.len_utf8())
        };
        match e.kind() {
            Kind::Char => {
                start.get_or_insert(i);
                // An ASCII or Arabic letter is read again by its letter
                // loop, four at a time; another letter is pushed here.
                i = match len {
                    1 => letters_of::<Ascii, S>(bytes, i, tables, sink),
                    2 => letters_of::<ArabicBlock, S>(bytes, i, tables, sink),
                    _ => {
                        sink.push(e.code());
                        i + len
                    }
                };
                end = i;
                continue;
            }
            Kind::Complex => {
                if start.is_none() {
                    start = Some(i);
                }
                complex = true;
                end = i + len;
            }
            Kind::Mark => {
                if start.is_some() {
                    end = i + len;
                }
            }
            Kind::Control => {}
            Kind::Separator => {
                if let Some(s) = start.take() {
                    emit(text, s, end, complex, sink, &mut f);
                    complex = false;
                }
            }
        }
        i += len;
    }
    if let Some(s) = start {
        emit(text, s, end, complex, sink, &mut f);
    }
}

/// The letters the word loops below read by table, several at a time: the
/// Arabic block (two bytes each) and ASCII (one byte each).
trait Script {
    /// Bytes per letter.
    const WIDTH: usize;
    /// The folded code of the letter at the start of `bytes`, if there is
    /// one.
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32>;
    /// The folded codes of the four characters at the start of `bytes`,
    /// packed for [`Sink::push_lanes`], zero where a character is not a
    /// letter of this script; `None` if `bytes` is shorter than four
    /// characters of `WIDTH` bytes.
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64>;
}

/// Lead bytes 0xD8–0xDB: U+0600–U+06FF.
struct ArabicBlock;

impl Script for ArabicBlock {
    const WIDTH: usize = 2;

    #[inline(always)]
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32> {
        let [b0, b1, ..] = *bytes else { return None };
        Some(u32::from(tables.letter_pairs[usize::from(u16::from_le_bytes([b0, b1]))])).filter(|&code| code != 0)
    }

    #[inline(always)]
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64> {
        let quad = u64::from_le_bytes(*bytes.first_chunk::<8>()?);
        let code = |j: u32| u64::from(tables.letter_pairs[usize::from((quad >> (16 * j)) as u16)]);
        Some(code(0) << 48 | code(1) << 32 | code(2) << 16 | code(3))
    }
}

/// ASCII letters and digits, one byte each.
struct Ascii;

impl Script for Ascii {
    const WIDTH: usize = 1;

    #[inline(always)]
    fn letter(bytes: &[u8], tables: &Tables) -> Option<u32> {
        let &b = bytes.first()?;
        Some(u32::from(tables.ascii_letters[usize::from(b)])).filter(|&code| code != 0)
    }

    #[inline(always)]
    fn four(bytes: &[u8], tables: &Tables) -> Option<u64> {
        let quad = u32::from_le_bytes(*bytes.first_chunk::<4>()?);
        let code = |j: u32| u64::from(tables.ascii_letters[usize::from((quad >> (8 * j)) as u8)]);
        Some(code(0) << 48 | code(1) << 32 | code(2) << 16 | code(3))
    }
}

/// Words of letters of script `L` each read whole from one window of eight
/// characters, from `bytes[i]` (the first letter of a word) on; no word may
/// be open in `sink`.
///
/// Every word of up to seven letters followed by an ASCII separator costs
/// the same straight-line code whatever its length: the loads, eight table
/// lookups, a mask of the lanes that are letters, and the hash of the
/// letters before the first lane that is not (the others masked to zero).
/// The letter-at-a-time loop this replaces for such words paid a
/// mispredicted branch at every word's end (two per word of Arabic,
/// callgrind).
///
/// Returns where the scanner goes on and, when a word is still open there
/// (eight letters or more, a mark, another script after its letters), where
/// that word began; `sink` then holds its letters so far.
#[inline(always)]
fn whole_words<L: Script, S: Sink>(
    bytes: &[u8],
    mut i: usize,
    tables: &Tables,
    sink: &mut S,
    f: &mut impl FnMut(Span, &S),
) -> (usize, Option<usize>) {
    /// The top `16 * n` bits of 128, for the first `n` letters of a window
    /// (the mask is taken before the test for no letter at all: that order
    /// compiled to 0.7% fewer instructions).
    const KEEP: [u128; 16] = {
        let mut keep = [0u128; 16];
        let mut n = 1;
        while n < 8 {
            keep[n] = !(u128::MAX >> (16 * n));
            n += 1;
        }
        keep[8] = u128::MAX;
        keep
    };
    const TOPS: u64 = 0x8000_8000_8000_8000;
    loop {
        let window = bytes.get(i..).unwrap_or_default();
        let (Some(first), Some(second)) =
            (L::four(window, tables), L::four(window.get(4 * L::WIDTH..).unwrap_or_default(), tables))
        else {
            sink.clear();
            return (i, None);
        };
        let not_letters = u128::from(!nonzero_lanes(first) & TOPS) << 64 | u128::from(!nonzero_lanes(second) & TOPS);
        let letters = not_letters.leading_zeros() / 16;
        let keep = KEEP[letters as usize & 15];
        let (first, second) = (first & (keep >> 64) as u64, second & keep as u64);
        if letters == 0 {
            sink.clear();
            return (i, None);
        }
        let end = if letters < 8 {
            sink.set_lanes(first, second, letters);
            i + L::WIDTH * letters as usize
        } else {
            // A long word: the rest four letters at a time.
            sink.set_lanes(first, 0, 4);
            sink.push_lanes(second, 4);
            letters_of::<L, S>(bytes, i + 8 * L::WIDTH, tables, sink)
        };
        match bytes.get(end) {
            Some(&b) if tables.separator_byte[b as usize] => {}
            _ => return (end, Some(i)),
        }
        f(Span::new(i, end), sink);
        // Whether a word starts after the separator is left to the next
        // window (no letter: back to the scanner), not tested here first.
        i = end + 1;
    }
}

/// Folds the run of letters of script `L` at `bytes[i..]` into `sink` and
/// returns where it ends (at `i` if there is none).
///
/// Four letters a step ([`Script::four`]): the letters before the first lane
/// that is not one go to the sink at once ([`Sink::push_lanes`]), so the only
/// branch is whether all four were letters. Serves the words
/// [`whole_words`] leaves open: eight letters or more, or letters after a
/// mark.
#[inline(always)]
fn letters_of<L: Script, S: Sink>(bytes: &[u8], i: usize, tables: &Tables, sink: &mut S) -> usize {
    /// The top `16 * n` bits, for `n` letters of a step.
    const TOP_LANES: [u64; 8] = [0, 0xFFFF << 48, 0xFFFF_FFFF << 32, 0xFFFF_FFFF_FFFF << 16, u64::MAX, 0, 0, 0];
    let mut rest = &bytes[i..];
    // A word that went on after a mark or another script may have left its
    // hash mid-step: letters one at a time until a step begins.
    while !sink.aligned() {
        let Some(code) = L::letter(rest, tables) else { return bytes.len() - rest.len() };
        sink.push(code);
        rest = &rest[L::WIDTH..];
    }
    while let Some(lanes) = L::four(rest, tables) {
        let letters = (!nonzero_lanes(lanes) & 0x8000_8000_8000_8000).leading_zeros() / 16;
        sink.push_lanes(lanes & TOP_LANES[letters as usize & 7], letters);
        rest = &rest[L::WIDTH * letters as usize..];
        if letters < 4 {
            return bytes.len() - rest.len();
        }
    }
    // The last few bytes of the text.
    while let Some(code) = L::letter(rest, tables) {
        sink.push(code);
        rest = &rest[L::WIDTH..];
    }
    bytes.len() - rest.len()
}

/// The top bit of every 16-bit lane of `x` that is not zero, for lanes
/// below 0x8000 (the codes of [`Script::four`]): adding 0x7FFF carries into
/// a lane's top bit exactly when the lane is not zero, and never out of the
/// lane.
#[inline(always)]
fn nonzero_lanes(x: u64) -> u64 {
    const LOW: u64 = 0x7FFF_7FFF_7FFF_7FFF;
    (x + LOW) & !LOW
}

/// Finishes a word: on the fast path `sink` already holds its folded form;
/// otherwise the whole original word goes through NFKC and the general fold.
#[inline(always)]
fn emit<S: Sink>(text: &str, start: usize, end: usize, complex: bool, sink: &mut S, f: &mut impl FnMut(Span, &S)) {
    if complex {
        refold(&text[start..end], sink);
    }
    if !sink.is_empty() {
        f(Span::new(start, end), sink);
    }
    sink.clear();
}

/// The general path of [`emit`], out of line: rare, and large once NFKC is
/// inlined.
#[cold]
#[inline(never)]
fn refold<S: Sink>(original: &str, sink: &mut S) {
    let mut folded = String::new();
    fold_general(original, &mut folded);
    sink.set(&folded);
}
