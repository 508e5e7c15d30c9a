#!/usr/bin/env python3
"""Parquet as Hugging Face writes it: does sada account for every row? And how fast is it?

    python3 scripts/eval/parquet_check.py [--sada BIN]            # the check (.ci/run runs it)
    python3 scripts/eval/parquet_check.py --bench [--rows N] [--rss-rows N] [--sada BIN]

The check writes Parquet files with pyarrow the way `datasets` / FineWeb shards are written:
several row groups, `large_string` text (what `datasets` writes), zstd and snappy pages, a
dictionary-encoded column, an integer id, null texts; then one shard without a `text` column and
custom column names (`--text-field`). It runs `sada scan` on a directory of them and checks
documents.jsonl line by line: one record per row, in order, ids (the id column, else `FILE:ROW`,
1-based), `ok` with the text's byte count, or `error` naming `FILE:ROW` for a null text, and one
`error` record naming the shard without a text column. Exits 0 when all holds, 1 naming what
does not.

--bench writes the same texts as JSONL and as Parquet (zstd, 10,000-row groups, `large_string`)
under target/parquet-bench/ and times `sada sign --format none` on each with 1 and 2 threads
(median of --runs): MB/s of text (the UTF-8 bytes of the texts, not of the files), and peak RSS
of each run; then peak RSS of one run on a file of --rss-rows rows (1,000,000 by default, one
paragraph each, ~0.7 GB of text); and the cost of `scan --write` (the write stage's seconds from
summary.json beside the whole scan's) on the JSONL and Parquet files. The tables in
docs/performance.md come from this.

pyarrow lives in a private virtualenv, target/parquet-venv (made with `python3 -m venv`, pyarrow
installed from PyPI by pip); the script re-runs itself inside it.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT, measure  # noqa: E402

VENV = os.path.join(ROOT, 'target', 'parquet-venv')
VENV_PY = os.path.join(VENV, 'bin', 'python')


def ensure_pyarrow():
    """Run inside the venv with pyarrow, making it first if needed (never returns outside it)."""
    try:
        import pyarrow  # noqa: F401
        return
    except ImportError:
        pass
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        sys.exit('parquet_check: pyarrow is not importable inside ' + VENV)
    if not os.path.exists(VENV_PY):
        subprocess.run([sys.executable, '-m', 'venv', VENV], check=True)
    r = subprocess.run([VENV_PY, '-c', 'import pyarrow'], capture_output=True)
    if r.returncode != 0:
        subprocess.run([VENV_PY, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'pyarrow'],
                       check=True)
    os.execv(VENV_PY, [VENV_PY, os.path.abspath(__file__)] + sys.argv[1:])


def default_sada():
    target = os.environ.get('CARGO_TARGET_DIR', os.path.join(ROOT, 'target'))
    return os.path.join(target, 'release', 'sada')


def vocabulary():
    """Words of the seed articles (Arabic news), to make texts that tokenize like news."""
    words = []
    seeds = os.path.join(ROOT, 'seeds')
    for name in sorted(os.listdir(seeds)):
        if name.endswith('.txt'):
            with open(os.path.join(seeds, name), encoding='utf-8') as f:
                words.extend(f.read().split())
    return words


def paragraphs(n, rng, words, length=(40, 120)):
    return [' '.join(rng.choice(words) for _ in range(rng.randint(*length))) for _ in range(n)]


def texts(rows, seed=1, short=False):
    """`rows` texts of 2-5 paragraphs (~1-3 KB; one, ~0.7 KB, if `short`) drawn from a pool, each
    opened by its row number."""
    rng = random.Random(seed)
    pool = paragraphs(4000, rng, vocabulary())
    out = []
    for i in range(rows):
        k = 1 if short else 2 + (i % 4)
        out.append(f'{i} ' + '\n'.join(pool[rng.randrange(len(pool))] for _ in range(k)))
    return out


def write_parquet(path, table, row_group_size, compression):
    import pyarrow.parquet as pq
    pq.write_table(table, path, row_group_size=row_group_size, compression=compression)


def check(sada):
    import pyarrow as pa
    work = os.path.join(ROOT, 'target', 'parquet-check')
    shutil.rmtree(work, ignore_errors=True)
    shards = os.path.join(work, 'in')
    os.makedirs(shards)
    n = 2500
    body = texts(n)
    text = [None if i % 97 == 5 else t for i, t in enumerate(body)]
    # Shard 0: as `datasets` writes: large_string, zstd, several row groups, an integer id.
    t0 = pa.table({
        'text': pa.array(text, pa.large_string()),
        'id': pa.array(range(1000, 1000 + n), pa.int64()),
        'url': pa.array([f'https://www.site{i % 7}.iq/{i}' for i in range(n)], pa.large_string()),
        'date': pa.array(['2024-06-01T10:00:00Z'] * n, pa.large_string()),
        'token_count': pa.array([len(t.split()) if t else 0 for t in body], pa.int64()),
    })
    t0 = t0.replace_schema_metadata({'huggingface': '{"info": {"features": {}}}'})
    write_parquet(os.path.join(shards, 'train-00000-of-00003.parquet'), t0, 300, 'zstd')
    # Shard 1: snappy (pyarrow's default), string ids with nulls, a dictionary-encoded source.
    ids = [None if i % 11 == 0 else f'doc-{i}' for i in range(n)]
    t1 = pa.table({
        'id': pa.array(ids, pa.string()),
        'source': pa.array([['rudaw', 'alsumaria', 'shafaq'][i % 3] for i in range(n)]).dictionary_encode(),
        'text': pa.array(text, pa.large_string()),
    })
    write_parquet(os.path.join(shards, 'train-00001-of-00003.parquet'), t1, 1000, 'snappy')
    # Shard 2: no text column.
    t2 = pa.table({'content': pa.array(body[:10], pa.large_string()), 'id': pa.array(range(10))})
    write_parquet(os.path.join(shards, 'train-00002-of-00003.parquet'), t2, 5, 'zstd')
    problems = []

    def run(args, out):
        r = subprocess.run([sada, 'scan', '--quiet', '--no-statements', '--out', out] + args, capture_output=True,
                           text=True)
        if r.returncode != 0:
            sys.exit(f'parquet_check: sada scan failed ({r.returncode}): {r.stderr.strip()}')
        with open(os.path.join(out, 'documents.jsonl'), encoding='utf-8') as f:
            return [json.loads(line) for line in f]

    docs = run([shards], os.path.join(work, 'out'))
    expected = []
    for shard, id_of in [('train-00000-of-00003.parquet', lambda i: str(1000 + i)),
                         ('train-00001-of-00003.parquet', lambda i: ids[i])]:
        name = os.path.join(shards, shard)
        for i in range(n):
            place = f'{name}:{i + 1}'
            expected.append((name, id_of(i) or place, place, text[i]))
    missing = os.path.join(shards, 'train-00002-of-00003.parquet')
    if len(docs) != len(expected) + 1:
        problems.append(f'{len(docs)} records for {len(expected)} rows and one shard without text')
    for d, (name, id_, place, t) in zip(docs, expected):
        if d['input'] != name or d['id'] != id_:
            problems.append(f'row {place}: id {d["id"]!r} of {d["input"]}, expected {id_!r}')
        elif t is None and not (d['status'] == 'error' and d['error'].startswith(place + ': ')):
            problems.append(f'row {place}: a null text should be an error naming it: {d}')
        elif t is not None and (d['status'] != 'ok' or d['bytes'] != len(t.encode())):
            problems.append(f'row {place}: expected ok with {len(t.encode())} bytes: {d}')
        if len(problems) > 10:
            break
    last = docs[-1] if docs else {}
    if not (last.get('id') == missing and last.get('status') == 'error' and 'no `text` column' in last.get('error', '')):
        problems.append(f'the shard without a text column should be one error naming it: {last}')
    # Custom names: the shard without `text` read by --text-field content.
    docs = run(['--text-field', 'content', missing], os.path.join(work, 'out-named'))
    if [d['id'] for d in docs] != [str(i) for i in range(10)] or any(d['status'] != 'ok' for d in docs):
        problems.append(f'--text-field content: {docs[:3]}')
    problems += check_write(sada, work, shards, os.path.join(work, 'out'))
    rows = 2 * n + 10
    if problems:
        print('parquet_check: FAILED')
        for p in problems:
            print('  ' + p)
        return 1
    print(f'parquet_check: all {rows} rows of 3 pyarrow-written shards accounted for, and written back '
          '(schema, row groups, codecs, metadata, kept rows); 2 passed, 0 failed')
    return 0


ANNOTATION = [('sada_cluster', 'uint32'), ('sada_cluster_size', 'uint64'), ('sada_representative', 'string'),
              ('sada_duplicate', 'bool'), ('sada_similarity', 'double'),
              ('sada_statements', 'list<item: struct<statement: uint32 not null, start: uint32 not null, '
                                  'end: uint32 not null, boilerplate: bool not null>>')]


def check_write(sada, work, shards, scanned):
    """`scan --write` read back by pyarrow: shard 1 repeats shard 0's texts, so with --keep first
    shard 0's rows stay and shard 1's go; every shard keeps its schema (plus the sada_* columns
    with --annotate), codecs, key-value metadata and at most its row groups; with --keep all and
    nothing asked the tables come back equal and the unreadable shard byte for byte."""
    import pyarrow.parquet as pq
    problems = []

    def scan(args, out, clean):
        r = subprocess.run([sada, 'scan', '--quiet', '--no-statements', '--out', out, '--write', clean] + args
                           + [shards], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f'parquet_check: sada scan --write failed ({r.returncode}): {r.stderr.strip()}')
        with open(os.path.join(out, 'documents.jsonl'), encoding='utf-8') as f:
            return [json.loads(line) for line in f]

    docs = scan(['--annotate', '--keep', 'first'], os.path.join(work, 'out-w'), os.path.join(work, 'clean'))
    for shard in ['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet']:
        src = pq.ParquetFile(os.path.join(shards, shard))
        path = os.path.join(work, 'clean', shard)
        if not os.path.exists(path):
            problems.append(f'--write: {shard} was not written')
            continue
        got = pq.ParquetFile(path)
        want = [(f.name, str(f.type)) for f in src.schema_arrow] + ANNOTATION
        have = [(f.name, str(f.type)) for f in got.schema_arrow]
        if have != want:
            problems.append(f'--write {shard}: schema {have}, expected {want}')
        if got.metadata.num_row_groups > src.metadata.num_row_groups:
            problems.append(f'--write {shard}: {got.metadata.num_row_groups} row groups from '
                            f'{src.metadata.num_row_groups}')
        if got.metadata.num_row_groups and (got.metadata.row_group(0).column(0).compression
                                            != src.metadata.row_group(0).column(0).compression):
            problems.append(f'--write {shard}: codec {got.metadata.row_group(0).column(0).compression}, '
                            f'expected {src.metadata.row_group(0).column(0).compression}')
        meta = src.schema_arrow.metadata or {}
        if b'huggingface' in meta and (got.schema_arrow.metadata or {}).get(b'huggingface') != meta[b'huggingface']:
            problems.append(f'--write {shard}: the huggingface metadata is lost')
        kept = [d for d in docs if d['input'].endswith(shard) and d.get('kept')]
        table = got.read()
        if table.num_rows != len(kept):
            problems.append(f'--write {shard}: {table.num_rows} rows written, documents.jsonl keeps {len(kept)}')
        elif table.num_rows:
            dup = table.column('sada_duplicate').to_pylist()
            if any(dup):
                problems.append(f'--write {shard}: --keep first wrote a row marked duplicate')
    first = [d for d in docs if d['input'].endswith('train-00000-of-00003.parquet')]
    if not all(d.get('kept') for d in first if d['status'] == 'ok'):
        problems.append('--keep first: a row of the first shard was not kept')
    if not any(d.get('kept') is False and d['status'] == 'ok' for d in docs):
        problems.append('--keep first: shard 1 repeats shard 0, yet nothing was left out')
    scan(['--keep', 'all'], os.path.join(work, 'out-all'), os.path.join(work, 'clean-all'))
    for shard in ['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet']:
        src = pq.read_table(os.path.join(shards, shard))
        got = pq.read_table(os.path.join(work, 'clean-all', shard))
        # Dictionary columns compare unequal when chunked otherwise: values and schema are compared.
        if not (got.schema.equals(src.schema) and got.to_pylist() == src.to_pylist()):
            problems.append(f'--keep all: {shard} does not come back equal to its input')
    with open(os.path.join(shards, 'train-00002-of-00003.parquet'), 'rb') as a, \
            open(os.path.join(work, 'clean-all', 'train-00002-of-00003.parquet'), 'rb') as b:
        if a.read() != b.read():
            problems.append('--keep all: the shard without a text column is not copied as it was')
    return problems




def bench(sada, rows, rss_rows, runs):
    import pyarrow as pa
    work = os.path.join(ROOT, 'target', 'parquet-bench')
    os.makedirs(work, exist_ok=True)

    def corpus(n, short=False):
        name = f'texts-{n}' + ('-short' if short else '')
        jsonl = os.path.join(work, name + '.jsonl')
        parquet = os.path.join(work, name + '.parquet')
        size_file = os.path.join(work, name + '.bytes')
        if not (os.path.exists(jsonl) and os.path.exists(parquet) and os.path.exists(size_file)):
            body = texts(n, short=short)
            with open(jsonl, 'w', encoding='utf-8') as f:
                for i, t in enumerate(body):
                    f.write(json.dumps({'id': i, 'text': t}, ensure_ascii=False) + '\n')
            table = pa.table({'id': pa.array(range(n), pa.int64()), 'text': pa.array(body, pa.large_string())})
            write_parquet(parquet, table, 10_000, 'zstd')
            with open(size_file, 'w') as f:
                f.write(str(sum(len(t.encode()) for t in body)))
        with open(size_file) as f:
            return jsonl, parquet, int(f.read())

    jsonl, parquet, text_bytes = corpus(rows)
    print(f'{rows} rows, {text_bytes / 1e6:.0f} MB of text; JSONL {os.path.getsize(jsonl) / 1e6:.0f} MB, '
          f'Parquet (zstd) {os.path.getsize(parquet) / 1e6:.0f} MB; median of {runs} runs')
    print('| input | threads | wall s | MB/s of text | peak RSS MiB |')
    print('|---|---|---|---|---|')
    for name, path in [('JSONL', jsonl), ('Parquet', parquet)]:
        for threads in (1, 2):
            cmd = [sada, 'sign', '--quiet', '--format', 'none', '--threads', str(threads), '--out', '-', path]
            results = [measure(cmd, 'parquet_check') for _ in range(runs)]
            wall = statistics.median(r[0] for r in results)
            rss = statistics.median(r[1] for r in results)
            print(f'| {name} | {threads} | {wall:.2f} | {text_bytes / 1e6 / wall:.0f} | {rss:.0f} |')
    print('\n`sada scan --no-statements --write DIR`, 2 threads, one run each: the write stage '
          '(summary.json run.timings.write) beside the whole scan')
    print('| input | options | scan s | write s | write share | write MB/s of input text |')
    print('|---|---|---|---|---|---|')
    for name, path in [('JSONL', jsonl), ('Parquet', parquet)]:
        for opts in (['--keep', 'representative'], ['--keep', 'all', '--annotate']):
            out, clean = os.path.join(work, 'write-out'), os.path.join(work, 'write-clean')
            for d in (out, clean):
                shutil.rmtree(d, ignore_errors=True)
            subprocess.run([sada, 'scan', '--quiet', '--no-statements', '--threads', '2', '--out', out, '--write', clean]
                           + opts + [path], check=True)
            with open(os.path.join(out, 'summary.json')) as f:
                timings = json.load(f)['run']['timings']
            total, write = sum(timings.values()), timings.get('write', 0.0)
            print(f'| {name} | `{" ".join(opts)}` | {total:.2f} | {write:.2f} | {write / total:.0%} | '
                  f'{text_bytes / 1e6 / write:.0f} |')
    if rss_rows:
        jsonl, parquet, text_bytes = corpus(rss_rows, short=True)
        print(f'\n{rss_rows} rows ({text_bytes / 1e6:.0f} MB of text; Parquet {os.path.getsize(parquet) / 1e6:.0f} MB), '
              '2 threads, one run:')
        for name, path in [('JSONL', jsonl), ('Parquet', parquet)]:
            cmd = [sada, 'sign', '--quiet', '--format', 'none', '--threads', '2', '--out', '-', path]
            wall, rss = measure(cmd, 'parquet_check')
            print(f'  {name}: {wall:.1f} s, {text_bytes / 1e6 / wall:.0f} MB/s, peak RSS {rss:.0f} MiB')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sada', default=default_sada(), help='the sada binary (default: target/release/sada)')
    ap.add_argument('--bench', action='store_true', help='throughput and peak RSS instead of the check')
    ap.add_argument('--rows', type=int, default=100_000, help='rows of the throughput corpus')
    ap.add_argument('--rss-rows', type=int, default=1_000_000, help='rows of the peak-RSS file (0: none)')
    ap.add_argument('--runs', type=int, default=3)
    args = ap.parse_args()
    ensure_pyarrow()
    if not os.path.exists(args.sada):
        sys.exit(f'parquet_check: no sada binary at {args.sada} (cargo build --release)')
    if args.bench:
        return bench(args.sada, args.rows, args.rss_rows, args.runs)
    return check(args.sada)


if __name__ == '__main__':
    sys.exit(main())
