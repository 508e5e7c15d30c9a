//! `.txt` / `.md`: the whole file is one document; id and source are the
//! file stem.

use std::io::Read;

use super::decompress::{self, describe};
use super::{InputFile, Record, meta, stem};
use crate::error::{Locator, RecordError};

/// Records larger than this are refused: spans are 32-bit.
pub(crate) const MAX_RECORD: u64 = u32::MAX as u64;

/// Reads one text file into one record.
pub(crate) fn read(file: &InputFile) -> Record {
    let id = stem(&file.path);
    Record { meta: meta(id, None, file.display.clone(), None, None), content: read_content(file) }
}

fn read_content(file: &InputFile) -> Result<String, RecordError> {
    let err = |locator, message| RecordError { locator, message };
    let mut opened =
        decompress::open(file).map_err(|e| err(Locator::File(file.display.clone()), format!("cannot open: {e}")))?;
    // Sized once when the size is known: growing by doubling would hold
    // the old and the new buffer at once (three times the file at the peak).
    let known = opened.compression == decompress::Compression::None;
    let mut bytes =
        Vec::with_capacity(if known { usize::try_from(file.size.min(MAX_RECORD)).unwrap_or(0) + 1 } else { 0 });
    let read = (&mut opened.reader).take(MAX_RECORD + 1).read_to_end(&mut bytes);
    if let Err(e) = read
        && !decompress::ended_whole(&e)
    {
        let at = opened.consumed_bytes();
        return Err(err(Locator::Offset(file.display.clone(), at), describe(&e, opened.compression)));
    }
    if bytes.len() as u64 > MAX_RECORD {
        return Err(err(Locator::File(file.display.clone()), "record larger than 4 GiB".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to() as u64;
        err(Locator::Offset(file.display.clone(), at), "invalid UTF-8".into())
    })
}
