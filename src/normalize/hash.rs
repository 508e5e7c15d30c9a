//! The word hash, computed while a word is folded (no word buffer, no
//! second pass): [`hash_word`], and the [`WordHash`] sink the scanner feeds.

use super::sink::Sink;

/// The word hash, fed one folded character at a time.
///
/// Hand-written rather than xxh3 over the folded bytes: the tokenizer then
/// never materializes a word, which cut the instructions of `sada sign` by a
/// third (callgrind, Arabic corpus). It is FxHash's step (rotate, xor,
/// multiply) over the folded word's UTF-16 code units taken **four at a
/// time** (a `u64`, the first unit highest; the last step takes the zero to
/// three left over), finished by a full 64-bit avalanche of the state and the
/// unit count. Four units a step let `scan::whole_words` hash a whole word of up
/// to seven letters in two steps, with no branch on its length: a
/// step per letter made the word's end a branch, mispredicted about twice
/// per word. The rotation carries high bits back down so every unit reaches
/// every bit.
#[derive(Clone, Copy, Debug)]
pub(super) struct WordHash {
    state: u64,
    /// The units of the step being filled, `units % 4` of them.
    pending: u64,
    /// UTF-16 units pushed so far.
    units: u32,
}

impl WordHash {
    const SEED: u64 = 0x243F_6A88_85A3_08D3;
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    #[inline]
    pub(super) fn new() -> WordHash {
        WordHash { state: WordHash::SEED, pending: 0, units: 0 }
    }

    #[inline]
    fn step(state: u64, four: u64) -> u64 {
        (state.rotate_left(23) ^ four).wrapping_mul(WordHash::K)
    }

    #[inline]
    fn push_unit(&mut self, unit: u16) {
        self.pending |= (unit as u64) << (48 - 16 * (self.units % 4));
        self.units += 1;
        if self.units.is_multiple_of(4) {
            self.state = WordHash::step(self.state, self.pending);
            self.pending = 0;
        }
    }

    #[inline]
    pub(super) fn finish(&self) -> u64 {
        crate::sign::oph::mix(WordHash::step(self.state, self.pending) ^ self.units as u64)
    }
}

impl Sink for WordHash {
    #[inline]
    fn push(&mut self, code: u32) {
        let c = char::from_u32(code).expect("table entries hold scalar values");
        for unit in c.encode_utf16(&mut [0; 2]) {
            self.push_unit(*unit);
        }
    }

    #[inline]
    fn push_lanes(&mut self, lanes: u64, count: u32) {
        debug_assert!(self.aligned() && count <= 4);
        self.units += count;
        if count == 4 {
            self.state = WordHash::step(self.state, lanes);
        } else {
            self.pending = lanes;
        }
    }

    #[inline]
    fn set_lanes(&mut self, first: u64, second: u64, count: u32) {
        debug_assert!(count < 8);
        // Conditional moves, not a branch: a word's length is a coin flip.
        let full = count >= 4;
        self.state = std::hint::select_unpredictable(full, WordHash::step(WordHash::SEED, first), WordHash::SEED);
        self.pending = std::hint::select_unpredictable(full, second, first);
        self.units = count;
    }

    #[inline]
    fn aligned(&self) -> bool {
        self.units.is_multiple_of(4)
    }

    fn set(&mut self, folded: &str) {
        *self = WordHash::new();
        for unit in folded.encode_utf16() {
            self.push_unit(unit);
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.units == 0
    }

    #[inline]
    fn clear(&mut self) {
        *self = WordHash::new();
    }
}

/// Hash of a folded word: the identity of a token in every later stage.
#[inline]
pub fn hash_word(folded: &str) -> u64 {
    let mut h = WordHash::new();
    Sink::set(&mut h, folded);
    h.finish()
}
