"""sada (صدى, "echo") from Python: near-duplicate articles and recycled statements, Arabic first.

    import sada
    result = sada.scan("seeds/")                     # paths, dicts, or a pyarrow table
    for st in result.statements:
        print(st.docs, st.text)
    result.write("sada-out")                          # the command line's outputs and report

The Rust library does the work (the GIL is released while it runs); this module turns Python
inputs into what it reads and its outputs into dataclasses and Arrow tables. Options are named as
the command line's (``threshold=0.7`` is ``--threshold 0.7``). The API is in docs/python.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import numpy as np

from . import _sada

__all__ = [
    "scan",
    "signatures",
    "normalize",
    "Token",
    "Document",
    "Member",
    "Cluster",
    "Occurrence",
    "Statement",
    "Result",
    "MinHashLSH",
    "__version__",
]

__version__ = _sada.version()

# What an output directory may hold to be replaced, as `--out` (report/outdir.rs OUTPUT_NAMES).
_OUTPUT_NAMES = frozenset(("documents.jsonl", "clusters.jsonl", "statements.jsonl", "summary.json",
                           "report.html", ".sada-stages"))
# The record fields sada reads from JSON lines and Parquet (docs/output-contract.md, Inputs).
_RECORD_FIELDS = ("id", "text", "url", "source", "date", "published", "title")


@dataclass(frozen=True)
class Token:
    """A word as sada compares it: folded, with its UTF-8 byte span in the text."""

    word: str
    start: int
    end: int


def normalize(text: str) -> List[Token]:
    """The folded words of ``text`` with their byte spans, as the scan tokenizes it."""
    return [Token(w, s, e) for (w, s, e) in _sada.normalize(text)]


def signatures(texts: Any, num_perm: int = 128, ngram: int = 5, method: str = "oph",
               seed: Optional[int] = None):
    """The signature of each text as an ``(n, lanes)`` ``numpy.uint32`` array: the values
    ``sada sign`` writes (``--num-perm``, ``--ngram``, ``--method``, ``--seed``). A text without
    words gets a row of 0xFFFFFFFF, as an empty MinHash has in datasketch. SimHash has 2 lanes
    (the 64-bit hash, low half first).

    ``texts`` is an iterable of ``str``, or a ``pyarrow`` string array or chunked array (a table's
    column): those are read where Arrow keeps them, already UTF-8, which saves CPython's encoding
    of each ``str`` (a third of the call on Arabic text). A null string has no words."""
    chunks = _arrow_strings(texts)
    if chunks is not None:
        parts = []
        for chunk in chunks:
            schema, array = chunk.__arrow_c_array__()
            raw, lanes, _tokens = _sada.signatures_arrow(schema, array, num_perm, ngram, method, seed)
            parts.append(np.frombuffer(raw, dtype="<u4").reshape(len(chunk), lanes))
        if parts:
            return np.concatenate(parts) if len(parts) > 1 else parts[0]
        texts = []
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
    raw, lanes, _tokens = _sada.signatures(texts, num_perm, ngram, method, seed)
    return np.frombuffer(raw, dtype="<u4").reshape(len(texts), lanes)


def _arrow_strings(texts: Any) -> Optional[list]:
    """The chunks of a pyarrow string array or chunked array (``string`` or ``large_string``;
    ``string_view`` is cast to ``large_string``), or None when ``texts`` is not one."""
    if not type(texts).__module__.startswith("pyarrow"):
        return None
    import pyarrow as pa

    if isinstance(texts, pa.ChunkedArray):
        chunks = list(texts.chunks)
    elif isinstance(texts, pa.Array):
        chunks = [texts]
    else:
        return None
    kind = texts.type
    if getattr(pa.types, "is_string_view", lambda _: False)(kind):
        return [c.cast(pa.large_string()) for c in chunks]
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise TypeError(f"texts is a pyarrow array of {kind}, not of strings")
    return chunks


@dataclass
class Document:
    """One input record (a line of ``documents.jsonl``)."""

    id: str
    source: str
    input: str
    bytes: int
    tokens: int
    status: str
    url: Optional[str] = None
    date: Optional[str] = None
    title: Optional[str] = None
    error: Optional[str] = None
    recovered: Optional[str] = None
    cluster: Optional[int] = None


@dataclass
class Member:
    """A document of a near-duplicate cluster."""

    id: str
    index: int
    source: str
    similarity: float
    archived: bool = False  # with ``against``: from the archive (``index`` is its record number)


@dataclass
class Cluster:
    """Near-duplicate documents (a line of ``clusters.jsonl``)."""

    cluster: int
    kind: str
    representative: str
    size: int
    sources: int
    members: List[Member]
    min_similarity: float


@dataclass
class Occurrence:
    """Where a statement occurs: byte offsets ``start:end`` into the document's text."""

    doc: str
    index: int
    source: str
    start: int
    end: int
    words: int
    identity: float
    date: Optional[str] = None
    archived: bool = False  # with ``against``: in an archived document


@dataclass
class Statement:
    """A passage shared by two or more documents (a line of ``statements.jsonl``)."""

    statement: int
    text: str
    docs: int
    sources: int
    boilerplate: bool
    occurrences: List[Occurrence]
    boilerplate_kind: Optional[str] = None
    origin: Optional[Mapping[str, Any]] = None


def _build(cls, row: Mapping[str, Any]):
    """A dataclass from an output line: its fields by name, nested lists converted."""
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in row.items() if k in names}
    if cls is Cluster:
        values["members"] = [_build(Member, m) for m in row["members"]]
    if cls is Statement:
        values["occurrences"] = [_build(Occurrence, o) for o in row["occurrences"]]
    return cls(**values)


@dataclass
class Result:
    """What a scan found. ``documents``, ``clusters`` and ``statements`` are lists of dataclasses
    in the order of the output files; ``summary`` is ``summary.json`` as a dict. ``write(DIR)``
    puts the command line's outputs (the same bytes) and the report in ``DIR``; the
    ``*_table()`` methods give the rows as ``pyarrow`` tables."""

    documents: List[Document]
    clusters: List[Cluster]
    statements: List[Statement]
    summary: Mapping[str, Any]
    _dir: str = field(repr=False)
    _holder: Any = field(repr=False, default=None)

    def write(self, out_dir: Union[str, os.PathLike]) -> None:
        """Writes the outputs of this scan to ``out_dir``, complete or not at all, as ``--out``
        does: created if missing, replaced if it holds a previous run's outputs, refused
        (``FileExistsError``) if it is a file or holds anything else."""
        out = os.fspath(out_dir)
        if os.path.exists(out):
            if not os.path.isdir(out):
                raise FileExistsError(f"{out} is a file, not a directory")
            foreign = sorted(set(os.listdir(out)) - _OUTPUT_NAMES)
            if foreign:
                raise FileExistsError(f"{out} holds {foreign[0]!r}, which sada did not write: "
                                      "give an empty or new directory")
        parent = os.path.dirname(os.path.abspath(out))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".sada-write-", dir=parent)
        old = None
        try:
            for name in sorted(os.listdir(self._dir)):
                shutil.copyfile(os.path.join(self._dir, name), os.path.join(staging, name))
            if os.path.isdir(out):
                old = tempfile.mkdtemp(prefix=".sada-old-", dir=parent)
                os.replace(out, os.path.join(old, "out"))
            os.replace(staging, out)
        except BaseException:
            if old is not None and not os.path.exists(out):
                os.replace(os.path.join(old, "out"), out)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def _table(self, name: str):
        import pyarrow as pa

        with open(os.path.join(self._dir, name), encoding="utf-8") as f:
            return pa.Table.from_pylist([json.loads(line) for line in f])

    def documents_table(self):
        """``documents.jsonl`` as a ``pyarrow.Table``."""
        return self._table("documents.jsonl")

    def clusters_table(self):
        """``clusters.jsonl`` as a ``pyarrow.Table`` (members as a list of structs)."""
        return self._table("clusters.jsonl")

    def statements_table(self):
        """``statements.jsonl`` as a ``pyarrow.Table`` (occurrences as a list of structs)."""
        return self._table("statements.jsonl")


def _flags(options: Mapping[str, Any]) -> List[str]:
    """Keyword options as command-line flags: ``min_words=12`` → ``--min-words 12``, ``True`` →
    the bare flag, ``False`` and ``None`` → nothing."""
    out: List[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            out.append(flag)
        else:
            out += [flag, str(value)]
    return out


def _write_records(records: Iterable[Mapping[str, Any]], path: str) -> None:
    """Dicts as the JSON lines sada reads: the fields it knows, the rest left out."""
    with open(path, "w", encoding="utf-8") as f:
        for i, rec in enumerate(records):
            if not isinstance(rec, Mapping):
                raise TypeError(f"record {i} is {type(rec).__name__}, not a dict")
            row = {k: rec[k] for k in _RECORD_FIELDS if k in rec and rec[k] is not None}
            f.write(json.dumps(row, ensure_ascii=False))
            f.write("\n")


def _is_arrow(source: Any) -> bool:
    kind = type(source)
    return kind.__module__.startswith("pyarrow") and kind.__name__ in (
        "Table", "RecordBatch", "RecordBatchReader")


def _write_arrow(source: Any, path: str) -> None:
    """A pyarrow Table, RecordBatch or RecordBatchReader as a Parquet file sada reads (by
    column name, as any Parquet input), streamed batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(source, pa.RecordBatch):
        source = pa.Table.from_batches([source])
    batches = source.to_batches() if isinstance(source, pa.Table) else source
    schema = source.schema
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)


def _inputs(source: Any, tmp: str) -> List[str]:
    if isinstance(source, (str, os.PathLike)):
        return [os.fspath(source)]
    if _is_arrow(source):
        path = os.path.join(tmp, "input.parquet")
        _write_arrow(source, path)
        return [path]
    if isinstance(source, Mapping):
        raise TypeError("source is one dict: give a list of records")
    items = list(source)
    if items and all(isinstance(x, (str, os.PathLike)) for x in items):
        return [os.fspath(x) for x in items]
    path = os.path.join(tmp, "input.jsonl")
    _write_records(items, path)
    return [path]


def _read(path: str, cls) -> list:
    with open(path, encoding="utf-8") as f:
        return [_build(cls, json.loads(line)) for line in f]


def scan(source: Any, **options: Any) -> Result:
    """Scans ``source`` — a path or a list of paths (files or directories, every format the
    command line reads), an iterable of dicts (``id``, ``text``, optional ``url``, ``source``,
    ``date``, ``title``), or a ``pyarrow`` ``Table``, ``RecordBatch`` or ``RecordBatchReader``
    with those column names — with the command line's options as keywords (``threshold=0.7``,
    ``min_words=12``, ``memory_limit="2G"``, ``threads=4``, ``no_statements=True``…).

    Raises ``ValueError`` for a bad option (the command line's message), ``FileNotFoundError``
    for a missing path, ``KeyboardInterrupt`` on Ctrl-C (nothing is left behind). Records that
    cannot be read are in ``documents`` with ``status == "error"``, as on the command line.
    ``progress=True`` shows a bar per stage: tqdm's (``tqdm.auto``: a notebook's widget, or the
    terminal's) when tqdm is installed, else the command line's bars on a terminal's stderr.
    ``progress=callable`` hands every step to ``callable(stage, done, total, message,
    finished)`` instead (``done`` and ``total`` in bytes read for ``"read"``; ``total`` may be
    ``None``)."""
    progress = options.pop("progress", False)
    observer = None
    if callable(progress):
        observer = progress
    elif progress:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            observer = _Bars(tqdm)
    for refused in ("out", "quiet"):
        if refused in options:
            raise ValueError(f"{refused}: the result is returned; write it with Result.write(DIR)")
    holder = tempfile.TemporaryDirectory(prefix="sada-")
    out = os.path.join(holder.name, "out")
    try:
        # Records given as dicts or tables are written out for the scan and
        # removed after it; the outputs stay with the result.
        with tempfile.TemporaryDirectory(prefix="sada-input-") as tmp:
            inputs = _inputs(source, tmp)
            terminal_bars = progress is True and observer is None
            args = _flags(options) + ([] if terminal_bars else ["--quiet"]) + ["--out", out, "--"] + inputs
            _sada.scan(args, observer)
    except BaseException:
        holder.cleanup()
        raise
    finally:
        if isinstance(observer, _Bars):
            observer.close()
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    return Result(
        documents=_read(os.path.join(out, "documents.jsonl"), Document),
        clusters=_read(os.path.join(out, "clusters.jsonl"), Cluster),
        statements=_read(os.path.join(out, "statements.jsonl"), Statement),
        summary=summary,
        _dir=out,
        _holder=holder,
    )


class _Bars:
    """tqdm bars, one per stage, drawn from a scan's progress steps; a stage's bar goes when
    the stage ends, as the command line's do."""

    def __init__(self, tqdm: Any):
        self._tqdm = tqdm
        self._bars: Dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: Optional[int], message: str,
                 finished: bool) -> None:
        bar = self._bars.get(stage)
        if bar is None:
            if stage == "read":
                bar = self._tqdm(total=total, desc=stage, unit="B", unit_scale=True,
                                 unit_divisor=1024, leave=False)
            else:
                bar = self._tqdm(total=total, desc=stage, bar_format="{desc}: {elapsed} {postfix}",
                                 leave=False)
            self._bars[stage] = bar
        if done > bar.n:
            bar.update(done - bar.n)
        if message:
            bar.set_postfix_str(message, refresh=False)
        if finished:
            bar.close()
        else:
            bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


class MinHashLSH:
    """Locality-sensitive hashing over sada's signatures, for users of datasketch's or rensa's
    ``MinHashLSH``: ``insert(key, signature)``, ``query(signature)`` → the keys sharing a band,
    ``remove(key)``, ``len()``. Bands and rows are sada's choice for the threshold (the ones
    ``sada scan --threshold`` uses), or given."""

    def __init__(self, threshold: float = 0.6, num_perm: int = 128,
                 bands: Optional[int] = None, rows: Optional[int] = None):
        if (bands is None) != (rows is None):
            raise ValueError("give both bands and rows, or neither")
        if bands is None:
            bands, rows = _sada.optimal_bands(threshold, num_perm)
        if bands * rows > num_perm:
            raise ValueError(f"bands x rows = {bands * rows} is more than num_perm = {num_perm}")
        self.threshold, self.num_perm, self.bands, self.rows = threshold, num_perm, bands, rows
        self._tables: List[dict] = [dict() for _ in range(bands)]
        # key -> (insertion number, its band keys)
        self._keys: dict = {}
        self._inserted = 0

    def _band_keys(self, signature) -> List[bytes]:
        sig = np.asarray(signature, dtype="<u4").reshape(-1)
        if sig.shape[0] != self.num_perm:
            raise ValueError(f"signature has {sig.shape[0]} lanes, not num_perm = {self.num_perm}")
        r = self.rows
        return [sig[b * r:(b + 1) * r].tobytes() for b in range(self.bands)]

    def insert(self, key: Any, signature) -> None:
        if key in self._keys:
            raise ValueError(f"key {key!r} is already in the index")
        keys = self._band_keys(signature)
        self._keys[key] = (self._inserted, keys)
        self._inserted += 1
        for table, k in zip(self._tables, keys):
            table.setdefault(k, []).append(key)

    def query(self, signature) -> List[Any]:
        """The keys that share at least one band with ``signature``, in insertion order."""
        seen: dict = {}
        for table, k in zip(self._tables, self._band_keys(signature)):
            for key in table.get(k, ()):
                seen.setdefault(key, None)
        return sorted(seen, key=lambda key: self._keys[key][0])

    def remove(self, key: Any) -> None:
        for table, k in zip(self._tables, self._keys.pop(key)[1]):
            bucket = table[k]
            bucket.remove(key)
            if not bucket:
                del table[k]

    def __contains__(self, key: Any) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)
