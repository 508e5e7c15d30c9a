//! Where the scanner puts a word's folded characters: the [`Sink`] trait, and
//! its folded-text form (`Vec<u8>`); the hash form is `super::hash::WordHash`.

/// Where the scanner puts a word's folded characters: the hash alone
/// ([`WordHash`], for tokens) or the folded text (for showing words). One
/// scanner serves both, so both always agree on word boundaries.
///
/// [`WordHash`]: super::hash::WordHash
pub(super) trait Sink {
    /// Appends one folded character.
    fn push(&mut self, code: u32);
    /// Appends `count` (at most four) folded characters of the Basic
    /// Multilingual Plane, packed as in [`WordHash`]: the first in the top 16
    /// bits, lanes past `count` zero. Only when [`Sink::aligned`].
    ///
    /// [`WordHash`]: super::hash::WordHash
    fn push_lanes(&mut self, lanes: u64, count: u32);
    /// Makes the sink hold a word of `count` (below eight) characters of the
    /// Basic Multilingual Plane: the first four as `first` packs them for
    /// [`Sink::push_lanes`], the rest in `second`, lanes past `count` zero.
    fn set_lanes(&mut self, first: u64, second: u64, count: u32);
    /// Whether the next character starts a [`WordHash`] step, so that
    /// [`Sink::push_lanes`] may be used.
    ///
    /// [`WordHash`]: super::hash::WordHash
    fn aligned(&self) -> bool;
    /// Replaces the word with `folded`, the general path's result.
    fn set(&mut self, folded: &str);
    fn is_empty(&self) -> bool;
    fn clear(&mut self);
}

impl Sink for Vec<u8> {
    #[inline]
    fn push(&mut self, code: u32) {
        let c = char::from_u32(code).expect("table entries hold scalar values");
        self.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }

    fn push_lanes(&mut self, lanes: u64, count: u32) {
        for lane in 0..count {
            Sink::push(self, (lanes >> (48 - 16 * lane)) as u32 & 0xFFFF);
        }
    }

    fn set_lanes(&mut self, first: u64, second: u64, count: u32) {
        Vec::clear(self);
        self.push_lanes(first, count.min(4));
        self.push_lanes(second, count.saturating_sub(4));
    }

    #[inline]
    fn aligned(&self) -> bool {
        true
    }

    fn set(&mut self, folded: &str) {
        Vec::clear(self);
        self.extend_from_slice(folded.as_bytes());
    }

    #[inline]
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }

    #[inline]
    fn clear(&mut self) {
        Vec::clear(self);
    }
}
