//! What matching needs of a document — its number, near-duplicate group,
//! source and leader rank — packed for the wire. A document's ids go to
//! every process its anchors of a part go to, so they are the one thing the
//! match stage sends more of as processes are added; as four fixed-width
//! numbers (timely's encoding) they were 16 bytes a copy, packed about 6.
//!
//! Each number is a LEB128 varint (written here: ten lines, less than a
//! crate's interface); the document as its difference from the previous
//! one's (a process's documents come sorted, and mostly consecutive), the
//! group as the document minus its group, wrapping (0 for a document alone;
//! small for a clustered one, as a group is named by its cluster's smallest
//! document — any group round-trips, a larger one only packs longer).

use serde::{Deserialize, Serialize};

/// One document's ids: `(document, group, source, rank)`.
pub(super) type MatchIds = (u32, u32, u32, u32);

/// Documents' ids, sorted by document, packed.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(super) struct PackedIds(Vec<u8>);

impl PackedIds {
    /// Packs `ids`, which must come sorted by document.
    pub(super) fn pack(ids: impl IntoIterator<Item = MatchIds>) -> PackedIds {
        let mut out = Vec::new();
        let mut last = 0;
        for (doc, group, source, rank) in ids {
            debug_assert!(doc >= last, "ids sorted by document");
            put(&mut out, doc - last);
            put(&mut out, doc.wrapping_sub(group));
            put(&mut out, source);
            put(&mut out, rank);
            last = doc;
        }
        PackedIds(out)
    }

    /// The ids [`PackedIds::pack`] was given, in its order.
    pub(super) fn unpack(&self) -> impl Iterator<Item = MatchIds> + '_ {
        let mut at = 0;
        let mut last = 0;
        std::iter::from_fn(move || {
            if at == self.0.len() {
                return None;
            }
            let doc = last + get(&self.0, &mut at);
            let group = doc.wrapping_sub(get(&self.0, &mut at));
            let (source, rank) = (get(&self.0, &mut at), get(&self.0, &mut at));
            last = doc;
            Some((doc, group, source, rank))
        })
    }

    /// Bytes packed: at least four a document.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Appends `value` as a LEB128 varint: seven bits a byte, low first, the
/// high bit set on every byte but the last.
fn put(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads the varint at `*at` and moves past it.
fn get(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return value;
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ids_come_back_as_packed() {
        // The last two: a group above its document, and one far below.
        let ids = vec![
            (0, 0, 0, 0),
            (1, 0, 3, 299_999),
            (200, 200, 127, 128),
            (300, 301, 1, 1),
            (u32::MAX, 7, u32::MAX, 1 << 21),
        ];
        let packed = PackedIds::pack(ids.clone());
        assert_eq!(packed.unpack().collect::<Vec<_>>(), ids);
    }

    /// A document alone, next to the previous one, of a source among the
    /// first 128, ranked below 2^21: six bytes, not sixteen (five ranked
    /// below 2^14).
    #[test]
    fn a_document_alone_packs_small() {
        assert_eq!(PackedIds::pack([(1000, 1000, 5, 100)]).len(), 2 + 1 + 1 + 1);
        assert_eq!(PackedIds::pack([(1000, 1000, 5, 100), (1001, 1001, 5, 299_999)]).len(), 5 + 1 + 1 + 1 + 3);
        assert_eq!(PackedIds::default().unpack().count(), 0);
    }

    proptest! {
        #[test]
        fn any_sorted_ids_round_trip(raw in proptest::collection::vec((any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()), 0..200)) {
            let mut ids: Vec<MatchIds> = raw;
            ids.sort_unstable_by_key(|x| x.0);
            let packed = PackedIds::pack(ids.clone());
            prop_assert_eq!(packed.unpack().collect::<Vec<_>>(), ids);
        }
    }
}
