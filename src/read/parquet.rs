//! `.parquet`: one record per row, its fields read from top-level columns
//! named `text`, `id`, `url`, `source`, `date` (else `published`) and `title`
//! (the names of Hugging Face datasets such as FineWeb; other columns are not
//! read at all).
//!
//! Streamed: the file is read a batch of rows at a time ([`BATCH_ROWS`]),
//! through the `parquet` crate's Arrow reader restricted to the columns sada
//! reads, so memory holds one batch of those columns and the pages being
//! decoded, never the whole file or a whole row group's texts at once.
//!
//! The accounting is JSONL's, a row standing for a line: every row is one
//! record, named `FILE:ROW` (1-based, as JSONL's `FILE:LINE`) where it has
//! no id or is an error. A null `text` is an `error` record (as JSONL's
//! `"text": null`); a file without a `text` column is one `error` record
//! naming the file and the columns it has; a file that cannot be opened
//! as Parquet is one `error` record naming the file; a read error in the
//! middle of a file is one `error` record at the first row lost, after the
//! rows read before it; a file without rows (also a 0-byte file) is one
//! `empty` record.

use std::fs::File;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::fields::{Fields, Slot};
use super::{InputFile, Meta, Raw, Record, meta};
use crate::error::{Locator, RecordError};

/// Rows decoded at a time: with FineWeb's ~3 KB texts, ~1.5 MB of text per
/// batch, below the 4 MiB batches the analysis takes.
pub(crate) const BATCH_ROWS: usize = 512;

/// Where each column sada reads is in the projected batches.
#[derive(Default)]
struct Positions {
    text: usize,
    id: Option<usize>,
    url: Option<usize>,
    source: Option<usize>,
    date: Option<usize>,
    published: Option<usize>,
    title: Option<usize>,
}

pub(crate) struct ParquetFile {
    file: InputFile,
    /// The columns read, by name.
    fields: Arc<Fields>,
    /// The open reader, once opened.
    reader: Option<ParquetRecordBatchReader>,
    positions: Positions,
    /// Rows of the file (from its footer), for progress.
    total_rows: u64,
    /// The records of the batch being handed out, in reverse order.
    pending: Vec<Record>,
    /// 1-based number of the last row read.
    row: u64,
    opened: bool,
    finished: bool,
}

impl ParquetFile {
    pub(crate) fn open(file: InputFile, fields: Arc<Fields>) -> ParquetFile {
        ParquetFile {
            file,
            fields,
            reader: None,
            positions: Positions::default(),
            total_rows: 0,
            pending: Vec::new(),
            row: 0,
            opened: false,
            finished: false,
        }
    }

    /// Bytes of the file consumed, estimated from the rows read.
    pub(crate) fn consumed(&self) -> u64 {
        if self.total_rows == 0 {
            return 0;
        }
        (self.file.size as u128 * u128::from(self.row.min(self.total_rows)) / u128::from(self.total_rows)) as u64
    }

    pub(crate) fn size(&self) -> u64 {
        self.file.size
    }

    fn display(&self) -> &str {
        &self.file.display
    }

    /// The file-level error record (the file cannot be read at all).
    fn file_error(&mut self, message: String) -> Record {
        self.finished = true;
        let locator = Locator::File(self.display().to_string());
        let id = locator.to_string();
        Record {
            meta: meta(id, None, self.display().to_string(), None, None),
            content: Err(RecordError { locator, message }),
        }
    }

    /// Opens the file and finds its columns; `Some` is the record that stands
    /// for a file that cannot be read.
    fn start(&mut self) -> Option<Record> {
        self.opened = true;
        let opened = match &self.file.spooled {
            Some(spool) => spool.try_clone(),
            None => File::open(&self.file.path),
        };
        let handle = match opened {
            Ok(f) => f,
            Err(e) => return Some(self.file_error(format!("cannot open: {e}"))),
        };
        if handle.metadata().map(|m| m.len()).unwrap_or(1) == 0 {
            // Nothing in it: an empty input, not a corrupt one (as a 0-byte `.jsonl`).
            self.finished = true;
            return Some(self.empty());
        }
        let builder = match ParquetRecordBatchReaderBuilder::try_new(handle) {
            Ok(b) => b,
            Err(e) => return Some(self.file_error(format!("not a readable Parquet file: {e}"))),
        };
        self.total_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let schema = Arc::clone(builder.schema());
        let names = Arc::clone(&self.fields);
        let name = |slot| names.name(slot);
        let find = |slot| {
            // The date's fallback is the date field itself when a date field is named.
            let named = !(slot == Slot::Published && name(slot) == name(Slot::Date));
            schema.fields().iter().position(|f| named && f.name() == name(slot))
        };
        let Some(text) = find(Slot::Text) else {
            let columns: Vec<String> = schema.fields().iter().map(|f| format!("`{}`", f.name())).collect();
            let columns = if columns.is_empty() { "none".to_string() } else { columns.join(", ") };
            return Some(self.file_error(format!("no `{}` column; the file's columns: {columns}", name(Slot::Text))));
        };
        if !is_string(schema.field(text).data_type()) {
            let kind = schema.field(text).data_type().to_string();
            return Some(self.file_error(format!("column `{}` holds {kind}, not strings", name(Slot::Text))));
        }
        // The columns read, in the file's order (a projection keeps that order).
        let wanted = [
            Some(text),
            find(Slot::Id),
            find(Slot::Url),
            find(Slot::Source),
            find(Slot::Date),
            find(Slot::Published),
            find(Slot::Title),
        ];
        let mut roots: Vec<usize> = wanted.iter().flatten().copied().collect();
        roots.sort_unstable();
        roots.dedup();
        let at = |c: Option<usize>| c.map(|c| roots.binary_search(&c).expect("projected"));
        self.positions = Positions {
            text: at(Some(text)).expect("projected"),
            id: at(wanted[1]),
            url: at(wanted[2]),
            source: at(wanted[3]),
            date: at(wanted[4]),
            published: at(wanted[5]),
            title: at(wanted[6]),
        };
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
        match builder.with_projection(mask).with_batch_size(BATCH_ROWS).build() {
            Ok(reader) => {
                self.reader = Some(reader);
                None
            }
            Err(e) => Some(self.file_error(format!("not a readable Parquet file: {e}"))),
        }
    }

    fn empty(&self) -> Record {
        Record {
            meta: meta(self.display().to_string(), None, self.display().to_string(), None, None),
            content: Ok(String::new()),
        }
    }

    /// The records of one batch, in order.
    fn records(&self, batch: &RecordBatch, first_row: u64) -> Vec<Record> {
        let p = &self.positions;
        let column = |c: Option<usize>, ints: bool| c.and_then(|c| strings(batch.column(c).as_ref(), ints));
        let texts = strings(batch.column(p.text).as_ref(), false).expect("checked when opened");
        let mut ids = column(p.id, true);
        let mut urls = column(p.url, false);
        let mut sources = column(p.source, false);
        let mut dates = column(p.date, false);
        let mut published = column(p.published, false);
        let mut titles = column(p.title, false);
        let take = |c: &mut Option<Vec<Option<String>>>, i: usize| c.as_mut().and_then(|v| v[i].take());
        let input = self.display();
        let text_name = self.fields.name(Slot::Text);
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let row = first_row + i as u64;
                let place = || Locator::Line(input.to_string(), row);
                let id = take(&mut ids, i).filter(|s| !s.is_empty()).unwrap_or_else(|| place().to_string());
                let url = take(&mut urls, i);
                let source = take(&mut sources, i).filter(|s| !s.is_empty());
                let date = take(&mut dates, i).or_else(|| take(&mut published, i));
                let title = take(&mut titles, i).filter(|t| !t.trim().is_empty());
                let content = match text {
                    Some(s) if s.len() as u64 <= super::text::MAX_RECORD => Ok(s),
                    Some(_) => Err(format!("`{text_name}` larger than 4 GiB")),
                    None => Err(format!("`{text_name}` is null")),
                }
                .map_err(|message| RecordError { locator: place(), message });
                Record { meta: Meta { title, ..meta(id, source, input.to_string(), url, date) }, content }
            })
            .collect()
    }
}

/// Whether a column of this type is read as text.
fn is_string(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_string(values),
        _ => false,
    }
}

/// A column's values as strings (integers too, as decimal text, with
/// `ints`); `None` for a column of another type, which is then not read.
fn strings(array: &dyn Array, ints: bool) -> Option<Vec<Option<String>>> {
    fn collect<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<String>> {
        values.map(|v| v.map(str::to_string)).collect()
    }
    fn numbers<T: std::fmt::Display>(values: impl Iterator<Item = Option<T>>) -> Vec<Option<String>> {
        values.map(|v| v.map(|n| n.to_string())).collect()
    }
    Some(match array.data_type() {
        DataType::Utf8 => collect(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => collect(array.as_string::<i64>().iter()),
        DataType::Utf8View => collect(array.as_string_view().iter()),
        DataType::Dictionary(_, values) if is_string(values) || (ints && is_int(values)) => {
            let dict = array.as_any_dictionary();
            let values = strings(dict.values().as_ref(), ints)?;
            let keys = dict.normalized_keys();
            (0..array.len()).map(|i| if array.is_null(i) { None } else { values[keys[i]].clone() }).collect()
        }
        DataType::Int8 if ints => numbers(array.as_primitive::<Int8Type>().iter()),
        DataType::Int16 if ints => numbers(array.as_primitive::<Int16Type>().iter()),
        DataType::Int32 if ints => numbers(array.as_primitive::<Int32Type>().iter()),
        DataType::Int64 if ints => numbers(array.as_primitive::<Int64Type>().iter()),
        DataType::UInt8 if ints => numbers(array.as_primitive::<UInt8Type>().iter()),
        DataType::UInt16 if ints => numbers(array.as_primitive::<UInt16Type>().iter()),
        DataType::UInt32 if ints => numbers(array.as_primitive::<UInt32Type>().iter()),
        DataType::UInt64 if ints => numbers(array.as_primitive::<UInt64Type>().iter()),
        _ => return None,
    })
}

fn is_int(t: &DataType) -> bool {
    t.is_integer()
}

impl Iterator for ParquetFile {
    type Item = Raw;

    fn next(&mut self) -> Option<Raw> {
        if let Some(record) = self.pending.pop() {
            return Some(Raw::Record(record));
        }
        if self.finished {
            return None;
        }
        if !self.opened
            && let Some(record) = self.start()
        {
            return Some(Raw::Record(record));
        }
        let reader = self.reader.as_mut()?;
        match reader.next() {
            None => {
                self.finished = true;
                (self.row == 0).then(|| Raw::Record(self.empty()))
            }
            Some(Ok(batch)) => {
                let first = self.row + 1;
                self.row += batch.num_rows() as u64;
                let mut records = self.records(&batch, first);
                records.reverse();
                self.pending = records;
                self.next()
            }
            Some(Err(e)) => {
                // The rest of the file cannot be read: one error record stands
                // for it, at the first row lost, after the rows read so far.
                self.finished = true;
                let row = self.row + 1;
                let locator = Locator::Line(self.display().to_string(), row);
                let left = self.total_rows.saturating_sub(self.row);
                let message = format!("cannot read the Parquet file: {e}; rows from {row} on are lost ({left} rows)");
                let id = locator.to_string();
                let rec = Record {
                    meta: meta(id, None, self.display().to_string(), None, None),
                    content: Err(RecordError { locator, message }),
                };
                Some(Raw::Record(rec))
            }
        }
    }
}
