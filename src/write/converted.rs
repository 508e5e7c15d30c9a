//! A text file or web archive written back as `sada extract` lines.

use std::path::Path;

use super::Written;
use super::context::Context;
use super::sink::{Sink, compression_of};
use crate::error::Error;
use crate::model::Status;
use crate::read::decompress;
use crate::read::{InputFile, RawReader};
use crate::report::wire::{Annotation, WithTextAnnotated, WrittenLine};

/// A text file or web archive: one `sada extract` line per kept record.
pub(super) fn converted(
    ctx: &Context<'_>,
    file: &InputFile,
    name: &Path,
    dir: &Path,
    next: &mut usize,
    written: &mut Written,
) -> Result<(), Error> {
    let sniffed = decompress::open(file).ok().map(|o| o.compression);
    let mut sink = Sink::create(dir, name, compression_of(file, sniffed))?;
    for raw in RawReader::new(vec![file.clone()]) {
        let doc = *next;
        *next += 1;
        if !ctx.wanted[doc] {
            continue;
        }
        let rec = raw.parse();
        let d = &ctx.scan.docs[doc];
        let text = rec.content.as_ref().ok().map(String::as_str);
        let (new_text, annotation) = if text.is_some() { ctx.make(doc, text) } else { (None, None::<Annotation<'_>>) };
        let line = WrittenLine {
            meta: &d.meta,
            bytes: d.bytes,
            tokens: d.tokens,
            status: d.status.name(),
            error: match &d.status {
                Status::Error(e) => Some(e.to_string()),
                _ => None,
            },
            rest: WithTextAnnotated { text: new_text.as_deref().or(text), sada: annotation },
        };
        let mut json = serde_json::to_vec(&line).expect("a line of strings and numbers serializes");
        json.push(b'\n');
        sink.write(&json, &file.display)?;
        written.kept[doc] = true;
        written.records += 1;
    }
    sink.finish(&file.display)
}
