//! The signature file written by `sada sign`: the map step of a crawl that is
//! signed in pieces (per machine, per day) and indexed later.
//!
//! # Binary format (`--format bin`, the default)
//!
//! Little-endian throughout. A header, then one record per input record, in
//! input order (records that could not be signed are kept, with no lanes, so
//! the file accounts for every input record as `documents.jsonl` does):
//!
//! | field | type | meaning |
//! |---|---|---|
//! | magic | 8 bytes | `SADASIG` followed by the format version byte `5` (versions 1–4 hold
//! signatures of sada before its word hash, its word-shingle hash, OPH's bin hash, then its word
//! hash again changed, and are refused) |
//! | method | u8 | 0 classic MinHash, 1 one-permutation MinHash, 2 SimHash |
//! | shingle | u8 | 0 words, 1 characters |
//! | ngram | u16 | shingle size |
//! | lanes | u32 | u32 lanes per signature: `--num-perm` (MinHash), 2 (SimHash: low then high half) |
//! | seed | u64 | permutation seed |
//! | *per record:* id length | u32 | bytes of the id |
//! | id | bytes | UTF-8 |
//! | status | u8 | 0 ok, 1 empty, 2 error |
//! | tokens | u32 | tokens of the record |
//! | signature | `lanes` × u32 | only when status is ok |
//!
//! At 128 lanes a record costs 521 bytes plus its id. Two files made with the
//! same header fields are comparable lane by lane.
//!
//! # JSON Lines (`--format jsonl`)
//!
//! One object per record: `{"id", "status", "tokens", "signature": [u32…]}`
//! (`error` for records that could not be read), preceded by nothing: the
//! parameters are those of the command line.

use std::io::{self, Read, Write};

use crate::model::StatusKind;
use crate::shingle::ShingleKind;
use crate::sign::Method;

/// The magic bytes and version of the binary format.
pub const MAGIC: [u8; 8] = *b"SADASIG\x05";

/// How signatures were made: the file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Signature method.
    pub method: Method,
    /// Word or character shingles.
    pub shingle: ShingleKind,
    /// Shingle size.
    pub ngram: u16,
    /// u32 lanes per signature.
    pub lanes: u32,
    /// Permutation seed.
    pub seed: u64,
}

/// One record of a signature file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigRecord {
    /// The record's id.
    pub id: String,
    /// Ok, empty or error.
    pub status: StatusKind,
    /// Number of tokens.
    pub tokens: u32,
    /// The lanes (empty unless ok).
    pub lanes: Vec<u32>,
}

fn method_code(m: Method) -> u8 {
    match m {
        Method::Minhash => 0,
        Method::Oph => 1,
        Method::Simhash => 2,
    }
}

/// Writes the header.
pub fn write_header(w: &mut impl Write, h: &Header) -> io::Result<()> {
    w.write_all(&MAGIC)?;
    w.write_all(&[method_code(h.method), matches!(h.shingle, ShingleKind::Char) as u8])?;
    w.write_all(&h.ngram.to_le_bytes())?;
    w.write_all(&h.lanes.to_le_bytes())?;
    w.write_all(&h.seed.to_le_bytes())
}

/// Writes one record.
pub fn write_record(w: &mut impl Write, r: &SigRecord) -> io::Result<()> {
    w.write_all(&(r.id.len() as u32).to_le_bytes())?;
    w.write_all(r.id.as_bytes())?;
    let status = match r.status {
        StatusKind::Ok => 0u8,
        StatusKind::Empty => 1,
        StatusKind::Error => 2,
    };
    w.write_all(&[status])?;
    w.write_all(&r.tokens.to_le_bytes())?;
    for l in &r.lanes {
        w.write_all(&l.to_le_bytes())?;
    }
    Ok(())
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

fn read_array<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// Reads a whole signature file.
///
/// # Errors
/// An I/O error, or `InvalidData` for a file that is not a sada signature
/// file of this version or is truncated.
pub fn read(r: &mut impl Read) -> io::Result<(Header, Vec<SigRecord>)> {
    let magic = read_array::<8>(r)?;
    if magic != MAGIC {
        // An older sada's file would compare lane by lane with this one's
        // without error, and mean nothing: say so rather than "not ours".
        return Err(match magic {
            [b'S', b'A', b'D', b'A', b'S', b'I', b'G', version] => invalid(&format!(
                "a sada signature file of format version {version}; this sada reads version {} only (other \
                 versions hold signatures made with other hashes): sign the input again",
                MAGIC[7]
            )),
            _ => invalid("not a sada signature file (bad magic)"),
        });
    }
    let [m, sh] = read_array::<2>(r)?;
    let method = match m {
        0 => Method::Minhash,
        1 => Method::Oph,
        2 => Method::Simhash,
        _ => return Err(invalid("unknown method")),
    };
    let shingle = if sh == 1 { ShingleKind::Char } else { ShingleKind::Word };
    let ngram = u16::from_le_bytes(read_array(r)?);
    let lanes = u32::from_le_bytes(read_array(r)?);
    let seed = u64::from_le_bytes(read_array(r)?);
    let header = Header { method, shingle, ngram, lanes, seed };
    let mut records = Vec::new();
    loop {
        let mut len = [0u8; 4];
        match r.read(&mut len[..1])? {
            0 => break,
            _ => r.read_exact(&mut len[1..])?,
        }
        let mut id = vec![0u8; u32::from_le_bytes(len) as usize];
        r.read_exact(&mut id)?;
        let id = String::from_utf8(id).map_err(|_| invalid("id is not UTF-8"))?;
        let status = match read_array::<1>(r)?[0] {
            0 => StatusKind::Ok,
            1 => StatusKind::Empty,
            2 => StatusKind::Error,
            _ => return Err(invalid("unknown record status")),
        };
        let tokens = u32::from_le_bytes(read_array(r)?);
        let n = if status == StatusKind::Ok { lanes as usize } else { 0 };
        let mut lanes_v = Vec::with_capacity(n);
        for _ in 0..n {
            lanes_v.push(u32::from_le_bytes(read_array(r)?));
        }
        records.push(SigRecord { id, status, tokens, lanes: lanes_v });
    }
    Ok((header, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let h = Header { method: Method::Oph, shingle: ShingleKind::Word, ngram: 5, lanes: 3, seed: 9 };
        let recs = vec![
            SigRecord { id: "a".into(), status: StatusKind::Ok, tokens: 10, lanes: vec![1, 2, 3] },
            SigRecord { id: "ب".into(), status: StatusKind::Empty, tokens: 0, lanes: vec![] },
            SigRecord { id: "f.jsonl:3".into(), status: StatusKind::Error, tokens: 0, lanes: vec![] },
        ];
        let mut buf = Vec::new();
        write_header(&mut buf, &h).unwrap();
        for r in &recs {
            write_record(&mut buf, r).unwrap();
        }
        assert_eq!(buf.len(), 8 + 16 + (4 + 1 + 1 + 4 + 12) + (4 + 2 + 1 + 4) + (4 + 9 + 1 + 4));
        let (h2, r2) = read(&mut buf.as_slice()).unwrap();
        assert_eq!((h2, r2), (h, recs));
    }

    #[test]
    fn files_of_another_version_are_refused_by_name() {
        let mut buf = Vec::new();
        let h = Header { method: Method::Oph, shingle: ShingleKind::Word, ngram: 5, lanes: 1, seed: 1 };
        write_header(&mut buf, &h).unwrap();
        buf[7] = 2;
        let err = read(&mut buf.as_slice()).unwrap_err().to_string();
        assert!(err.contains("format version 2") && err.contains("sign the input again"), "{err}");
    }

    #[test]
    fn truncated_or_foreign_files_are_rejected() {
        assert!(read(&mut &b"NOTASIG!"[..]).unwrap_err().to_string().contains("bad magic"));
        let mut buf = Vec::new();
        let h = Header { method: Method::Minhash, shingle: ShingleKind::Word, ngram: 5, lanes: 2, seed: 1 };
        write_header(&mut buf, &h).unwrap();
        write_record(&mut buf, &SigRecord { id: "a".into(), status: StatusKind::Ok, tokens: 1, lanes: vec![1, 2] })
            .unwrap();
        buf.pop();
        assert!(read(&mut buf.as_slice()).is_err());
    }
}
