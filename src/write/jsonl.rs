//! A JSONL file written back: its lines as they are, but for what is asked.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use super::context::Context;
use super::sink::{Sink, compression_of};
use super::{Keep, Written, splice};
use crate::error::Error;
use crate::model::Status;
use crate::read::decompress;
use crate::read::{InputFile, Raw, RawLine};

/// A JSONL file: its lines as they are, but for what is asked.
pub(super) fn jsonl(
    ctx: &Context<'_>,
    file: &InputFile,
    name: &Path,
    dir: &Path,
    next: &mut usize,
    written: &mut Written,
) -> Result<(), Error> {
    let opened = decompress::open(file);
    let compression = compression_of(file, opened.as_ref().ok().map(|o| o.compression));
    let mut sink = Sink::create(dir, name, compression)?;
    let keep_all = ctx.opts.keep == Keep::All;
    let text_key = ctx.opts.fields.text().as_bytes();
    let input: Arc<str> = file.display.as_str().into();
    let mut records = 0u64;
    if let Ok(mut opened) = opened {
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        loop {
            buf.clear();
            match opened.reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => {
                    // The rest of the file is one error record, as in the scan.
                    records += 1;
                    *next += 1;
                    break;
                }
            }
            line_no += 1;
            // The line as the reader sees it (without end of line, `\r`s
            // and a leading byte-order mark), and what stands around it.
            let mut end = buf.len();
            if buf[..end].ends_with(b"\n") {
                end -= 1;
            }
            while end > 0 && buf[end - 1] == b'\r' {
                end -= 1;
            }
            let start = if line_no == 1 && buf[..end].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            if start == 3 {
                // The mark belongs to the file: it stays at its head.
                sink.write(&buf[..3], &file.display)?;
            }
            let line = &buf[start..end];
            if line.iter().all(u8::is_ascii_whitespace) {
                if keep_all {
                    sink.write(&buf[start..], &file.display)?;
                }
                continue;
            }
            let doc = *next;
            *next += 1;
            records += 1;
            if !ctx.wanted[doc] {
                continue;
            }
            let edited = if matches!(ctx.scan.docs[doc].status, Status::Error(_)) {
                None
            } else if ctx.opts.annotate || ctx.strips(doc) {
                let text = if ctx.strips(doc) {
                    let raw = RawLine {
                        input: input.clone(),
                        line: line_no,
                        bytes: line.to_vec(),
                        fields: Arc::clone(&ctx.opts.fields),
                    };
                    Raw::Line(raw).parse().content.ok()
                } else {
                    None
                };
                let (new_text, annotation) = ctx.make(doc, text.as_deref());
                let annotation = annotation.map(|a| serde_json::to_vec(&a).expect("numbers and strings serialize"));
                splice::edit(line, text_key, new_text.as_deref(), annotation.as_deref())
            } else {
                None
            };
            sink.write(edited.as_deref().unwrap_or(line), &file.display)?;
            sink.write(&buf[end..], &file.display)?;
            written.kept[doc] = true;
            written.records += 1;
        }
    } else {
        records += 1;
        *next += 1;
    }
    if records == 0 {
        // A file without records is one `empty` record, which has no line.
        *next += 1;
    }
    sink.finish(&file.display)
}
