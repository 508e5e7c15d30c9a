//! A Parquet file written back as Parquet: the same schema, the same row
//! groups (less the rows not kept), each column in the codec it had, and the
//! file's key-value metadata; `--annotate` adds the `sada_*` columns
//! ([`ANNOTATION_COLUMNS`]) and `--strip-boilerplate` rewrites the text
//! column's values in its own type.
//!
//! The file is read again through the `parquet` crate's Arrow reader, one
//! row group at a time in batches of [`BATCH_ROWS`] rows, every column this
//! time; memory holds one batch and the row group being encoded.
//!
//! Rows are matched to the scan's records by position: the scan read the
//! file's rows in order, one record per row, so the file's k-th row is the
//! k-th of the records the scan has for it. A file the scan could not read
//! (not Parquet, no text column) is one `error` record: it is copied byte
//! for byte with `--keep all` and not written otherwise, as a malformed
//! JSONL line is; a 0-byte file (one `empty` record) is written as 0 bytes.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, ListBuilder, StringBuilder, StructBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowDictionaryKeyType, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::file::properties::WriterProperties;

use super::context::Context;
use super::{Keep, Written, io};
use crate::error::Error;
use crate::model::Status;
use crate::read::InputFile;
use crate::read::parquet::BATCH_ROWS;

/// The columns `--annotate` adds, after the file's own (replacing columns
/// of these names the file already has). They say what the JSONL `sada`
/// object says, flat so that a filter on `sada_duplicate` needs no struct
/// access.
pub const ANNOTATION_COLUMNS: [&str; 6] = [
    "sada_cluster",
    "sada_cluster_size",
    "sada_representative",
    "sada_duplicate",
    "sada_similarity",
    "sada_statements",
];

/// Writes `file` to `dir/name` (a path ending in `.parquet`), its records
/// the scan's from `*next` on; `false` when the file is not written (sada
/// could not read it and not everything is kept).
pub(super) fn parquet(
    ctx: &Context<'_>,
    file: &InputFile,
    name: &Path,
    dir: &Path,
    next: &mut usize,
    written: &mut Written,
) -> Result<bool, Error> {
    let first = *next;
    let display = file.display.as_str();
    let records = ctx.scan.docs[first..].iter().take_while(|d| d.meta.input == display).count().max(1);
    *next += records;
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
    }
    let whole_file_error = records == 1
        && matches!(ctx.scan.docs[first].status, Status::Error(_))
        && !is_row(&ctx.scan.docs[first].meta.id);
    if whole_file_error {
        // Nothing sada could read: copied as it is when everything is kept.
        if ctx.opts.keep == Keep::All {
            std::fs::copy(&file.path, &path).map_err(io("cannot write", &path))?;
            written.kept[first] = true;
            written.records += 1;
            return Ok(true);
        }
        return Ok(false);
    }
    let handle = open(file).map_err(io("cannot read", &file.path))?;
    if handle.metadata().map_err(io("cannot read", &file.path))?.len() == 0 {
        // A 0-byte file is one `empty` record: it stays, as the 0 bytes it was.
        if !ctx.wanted[first] {
            return Ok(false);
        }
        File::create(&path).map_err(io("cannot write", &path))?;
        written.kept[first] = true;
        written.records += 1;
        return Ok(true);
    }
    let meta = ArrowReaderMetadata::load(&handle, ArrowReaderOptions::new())
        .map_err(|e| parquet_error("cannot read", &file.path, e))?;
    let text_name = ctx.opts.fields.text().to_string();
    let input_schema = Arc::clone(meta.schema());
    let text_col = input_schema.index_of(&text_name).ok();
    let kept_cols: Vec<usize> = (0..input_schema.fields().len())
        .filter(|&i| !(ctx.opts.annotate && ANNOTATION_COLUMNS.contains(&input_schema.field(i).name().as_str())))
        .collect();
    let schema = output_schema(&input_schema, &kept_cols, ctx.opts.annotate);
    let out = File::create(&path).map_err(io("cannot write", &path))?;
    let mut writer = ArrowWriter::try_new(out, Arc::clone(&schema), Some(properties(&meta)))
        .map_err(|e| parquet_error("cannot write", &path, e))?;
    let mut row = 0usize;
    // The rows the scan read as records: all of them but in a file without
    // rows (one `empty` record) or a damaged one (an error record for the
    // rest, which the read below stops at too).
    let file_rows = usize::try_from(meta.metadata().file_metadata().num_rows()).unwrap_or(0);
    let rows = records.min(file_rows);
    'groups: for group in 0..meta.metadata().num_row_groups() {
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            open(file).map_err(io("cannot read", &file.path))?,
            meta.clone(),
        )
        .with_row_groups(vec![group])
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| parquet_error("cannot read", &file.path, e))?;
        for batch in reader {
            // A read error is where the scan's error record stands: the
            // rows after it were not records.
            let Ok(batch) = batch else { break 'groups };
            let n = batch.num_rows().min(rows.saturating_sub(row));
            if n == 0 {
                break 'groups;
            }
            let docs: Vec<usize> = (first + row..first + row + n).collect();
            row += n;
            let keep: Vec<bool> = docs.iter().map(|&d| ctx.wanted[d]).collect();
            if !keep.iter().any(|&k| k) {
                continue;
            }
            let batch = batch.slice(0, n);
            let mask = BooleanArray::from(keep);
            let batch = arrow_select::filter::filter_record_batch(&batch, &mask)
                .map_err(|e| Error::Write { path: path.clone(), reason: e.to_string() })?;
            let kept: Vec<usize> = docs.into_iter().filter(|&d| ctx.wanted[d]).collect();
            let columns = columns(ctx, &batch, &kept, &kept_cols, text_col)
                .map_err(|reason| Error::Write { path: path.clone(), reason })?;
            let out = RecordBatch::try_new(Arc::clone(&schema), columns)
                .map_err(|e| Error::Write { path: path.clone(), reason: e.to_string() })?;
            writer.write(&out).map_err(|e| parquet_error("cannot write", &path, e))?;
            for d in kept {
                written.kept[d] = true;
                written.records += 1;
            }
        }
        // One row group out per row group in (none when no row of it is kept).
        writer.flush().map_err(|e| parquet_error("cannot write", &path, e))?;
    }
    writer.close().map_err(|e| parquet_error("cannot write", &path, e))?;
    Ok(true)
}

/// Whether a record id is a place in a file (`FILE:ROW`), as a row's error
/// is, rather than a file's (`FILE`).
fn is_row(id: &str) -> bool {
    id.rsplit_once(':').is_some_and(|(_, row)| !row.is_empty() && row.bytes().all(|b| b.is_ascii_digit()))
}

fn open(file: &InputFile) -> std::io::Result<File> {
    match &file.spooled {
        Some(spool) => spool.try_clone(),
        None => File::open(&file.path),
    }
}

fn parquet_error(what: &'static str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io { what, path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

/// The file's schema (its metadata included) without the replaced columns,
/// and with the annotation columns when asked for.
fn output_schema(input: &SchemaRef, kept: &[usize], annotate: bool) -> SchemaRef {
    let mut fields: Vec<Arc<Field>> = kept.iter().map(|&i| Arc::new(input.field(i).clone())).collect();
    if annotate {
        fields.extend([
            Arc::new(Field::new("sada_cluster", DataType::UInt32, true)),
            Arc::new(Field::new("sada_cluster_size", DataType::UInt64, true)),
            Arc::new(Field::new("sada_representative", DataType::Utf8, true)),
            Arc::new(Field::new("sada_duplicate", DataType::Boolean, false)),
            Arc::new(Field::new("sada_similarity", DataType::Float64, true)),
            Arc::new(Field::new("sada_statements", DataType::List(Arc::new(statement_item())), false)),
        ]);
    }
    Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()))
}

/// One statement a row carries: a list item of `sada_statements`.
fn statement_item() -> Field {
    Field::new("item", DataType::Struct(statement_fields()), true)
}

fn statement_fields() -> Fields {
    Fields::from(vec![
        Field::new("statement", DataType::UInt32, false),
        Field::new("start", DataType::UInt32, false),
        Field::new("end", DataType::UInt32, false),
        Field::new("boilerplate", DataType::Boolean, false),
    ])
}

/// The writer's settings from the file's: each column's codec as in the
/// first row group, the file's key-value metadata but the Arrow schema (the
/// writer writes its own), and row groups cut only where the input's end.
fn properties(meta: &ArrowReaderMetadata) -> WriterProperties {
    let md = meta.metadata();
    let kv: Vec<_> = md
        .file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().filter(|k| k.key != "ARROW:schema").cloned().collect())
        .unwrap_or_default();
    let mut props = WriterProperties::builder()
        .set_max_row_group_row_count(None)
        .set_max_row_group_bytes(None)
        .set_key_value_metadata((!kv.is_empty()).then_some(kv));
    if let Some(group) = md.row_groups().first() {
        if let Some(c) = group.columns().first() {
            props = props.set_compression(c.compression());
        }
        for c in group.columns() {
            props = props.set_column_compression(c.column_path().clone(), c.compression());
        }
    }
    props.build()
}

/// The output columns of one filtered batch: the kept input columns (the
/// text rewritten where boilerplate is cut) and the annotation columns.
fn columns(
    ctx: &Context<'_>,
    batch: &RecordBatch,
    docs: &[usize],
    kept_cols: &[usize],
    text_col: Option<usize>,
) -> Result<Vec<ArrayRef>, String> {
    let texts: Option<Vec<Option<String>>> = text_col.map(|c| strings(batch.column(c).as_ref())).transpose()?;
    let made: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let text = texts.as_ref().and_then(|t| t[i].as_deref());
            if matches!(ctx.scan.docs[d].status, Status::Error(_)) || text.is_none() {
                (None, None)
            } else {
                ctx.make(d, text)
            }
        })
        .collect();
    let mut out: Vec<ArrayRef> = Vec::with_capacity(kept_cols.len() + ANNOTATION_COLUMNS.len());
    for &c in kept_cols {
        let column = batch.column(c);
        if Some(c) == text_col && made.iter().any(|m| m.0.is_some()) {
            let texts = texts.as_ref().expect("the text column was read");
            let new: Vec<Option<&str>> = made.iter().zip(texts).map(|(m, t)| m.0.as_deref().or(t.as_deref())).collect();
            out.push(same_type(column.data_type(), &new)?);
        } else {
            out.push(Arc::clone(column));
        }
    }
    if ctx.opts.annotate {
        let mut cluster = UInt32Builder::new();
        let mut size = UInt64Builder::new();
        let mut representative = StringBuilder::new();
        let mut duplicate = BooleanBuilder::new();
        let mut similarity = Float64Builder::new();
        let mut statements =
            ListBuilder::new(StructBuilder::from_fields(statement_fields(), 0)).with_field(Arc::new(statement_item()));
        for (_, annotation) in &made {
            let a = annotation.as_ref();
            cluster.append_option(a.and_then(|a| a.cluster));
            size.append_option(a.and_then(|a| a.cluster_size).map(|s| s as u64));
            representative.append_option(a.and_then(|a| a.representative));
            duplicate.append_value(a.is_some_and(|a| a.duplicate));
            similarity.append_option(a.and_then(|a| a.similarity));
            let items = statements.values();
            for s in a.map_or(&[][..], |a| &a.statements[..]) {
                items.field_builder::<UInt32Builder>(0).expect("statement").append_value(s.statement);
                items.field_builder::<UInt32Builder>(1).expect("start").append_value(s.start);
                items.field_builder::<UInt32Builder>(2).expect("end").append_value(s.end);
                items.field_builder::<BooleanBuilder>(3).expect("boilerplate").append_value(s.boilerplate);
                items.append(true);
            }
            statements.append(true);
        }
        out.push(Arc::new(cluster.finish()));
        out.push(Arc::new(size.finish()));
        out.push(Arc::new(representative.finish()));
        out.push(Arc::new(duplicate.finish()));
        out.push(Arc::new(similarity.finish()));
        out.push(Arc::new(statements.finish()));
    }
    Ok(out)
}

/// The values of a string column (any of the types the reader takes).
fn strings(array: &dyn Array) -> Result<Vec<Option<String>>, String> {
    fn owned<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<String>> {
        values.map(|v| v.map(str::to_string)).collect()
    }
    Ok(match array.data_type() {
        DataType::Utf8 => owned(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => owned(array.as_string::<i64>().iter()),
        DataType::Utf8View => owned(array.as_string_view().iter()),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let values = strings(dict.values().as_ref())?;
            let keys = dict.normalized_keys();
            (0..array.len()).map(|i| if array.is_null(i) { None } else { values[keys[i]].clone() }).collect()
        }
        other => return Err(format!("the text column holds {other}, not strings")),
    })
}

/// `values` as an array of type `t`, the text column's type.
fn same_type(t: &DataType, values: &[Option<&str>]) -> Result<ArrayRef, String> {
    fn dict<K: ArrowDictionaryKeyType>(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(values.iter().copied().collect::<DictionaryArray<K>>())
    }
    Ok(match t {
        DataType::Utf8 => Arc::new(values.iter().copied().collect::<StringArray>()),
        DataType::LargeUtf8 => Arc::new(values.iter().copied().collect::<LargeStringArray>()),
        DataType::Utf8View => Arc::new(values.iter().copied().collect::<StringViewArray>()),
        DataType::Dictionary(key, value) if **value == DataType::Utf8 => match **key {
            DataType::Int8 => dict::<Int8Type>(values),
            DataType::Int16 => dict::<Int16Type>(values),
            DataType::Int32 => dict::<Int32Type>(values),
            DataType::Int64 => dict::<Int64Type>(values),
            DataType::UInt8 => dict::<UInt8Type>(values),
            DataType::UInt16 => dict::<UInt16Type>(values),
            DataType::UInt32 => dict::<UInt32Type>(values),
            DataType::UInt64 => dict::<UInt64Type>(values),
            ref other => return Err(format!("a dictionary keyed by {other} cannot be rewritten")),
        },
        other => return Err(format!("a text column of {other} cannot be rewritten")),
    })
}
