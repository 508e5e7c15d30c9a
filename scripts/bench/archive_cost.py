#!/usr/bin/env python3
"""What a day costs against an archive (issue #21): `sada scan --against` of TODAY new documents
against archives of each size in SIZES, beside a full rescan of the same documents, and what
building the archive costs beside a plain scan.

    python3 scripts/bench/archive_cost.py [--sizes 100000,1000000] [--today 10000] [--runs N]
                                          [--sada target/release/sada] [--threads N]

The crawl is `examples/gen_crawl.rs` (short Arabic articles, 3% near-duplicate reprints, 2%
articles quoting another source), SIZE + TODAY documents: the first SIZE are archived, the last
TODAY are the day. Each size runs, each under a small timer process (wall seconds, peak RSS; with
--runs N, the least wall time and the greatest peak of N runs — this VM's noise is larger than
the differences measured):

  scan       `sada scan ARCHIVE.jsonl`: a plain scan of what the archive holds
  create     `sada index create DIR ARCHIVE.jsonl`: build throughput, bytes on disk per record
  full       `sada scan ARCHIVE.jsonl TODAY.jsonl`: the full rescan
  against    `sada scan --against DIR TODAY.jsonl`: the daily run

and checks that `against` reports what `full` reports about today (the clusters and statements
with a new document, archived members flagged). Prints one Markdown table. Files go to
target/archive-bench/ (the crawl is kept between runs). Standard library only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT, measure  # noqa: E402

WORK = os.path.join(ROOT, 'target', 'archive-bench')



def crawl(total):
    path = os.path.join(WORK, f'crawl-{total}.jsonl')
    if not os.path.exists(path):
        subprocess.run(['cargo', 'run', '--quiet', '--release', '--example', 'gen_crawl', '--',
                        '--docs', str(total), '--out', path], cwd=ROOT, check=True)
    return path


def split(path, size, today):
    archive = os.path.join(WORK, f'archive-{size}.jsonl')
    day = os.path.join(WORK, f'today-{size}-{today}.jsonl')
    if not (os.path.exists(archive) and os.path.exists(day)):
        with open(path, 'rb') as src, open(archive, 'wb') as a, open(day, 'wb') as d:
            for i, line in enumerate(src):
                (a if i < size else d).write(line)
    return archive, day


def jsonl(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f]


def restricted(out, archived):
    """`full`'s clusters and statements as `scan --against` of an archive of its first
    `archived` documents writes them."""
    ids = {d['id'] for d in jsonl(os.path.join(out, 'documents.jsonl'))[:archived]}

    def relist(items):
        for m in items:
            if m['index'] < archived:
                m['archived'] = True
            else:
                m['index'] -= archived

    clusters = []
    for c in jsonl(os.path.join(out, 'clusters.jsonl')):
        if any(m['index'] >= archived for m in c['members']):
            c['cluster'] = len(clusters)
            relist(c['members'])
            clusters.append(c)
    statements = []
    for s in jsonl(os.path.join(out, 'statements.jsonl')):
        if any(o['index'] >= archived for o in s['occurrences']):
            s['statement'] = len(statements)
            relist(s['occurrences'])
            if 'origin' in s and s['origin']['doc'] in ids:
                s['origin']['archived'] = True
            statements.append(s)
    return clusters, statements


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--sizes', default='100000,1000000')
    ap.add_argument('--today', type=int, default=10000)
    ap.add_argument('--sada', default=os.path.join(ROOT, 'target', 'release', 'sada'))
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--runs', type=int, default=1)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    threads = ['--threads', str(args.threads)] if args.threads else []
    sada = os.path.abspath(args.sada)

    def best(cmd, fresh=None):
        """Least wall seconds and greatest peak RSS of `args.runs` runs; `fresh` is removed
        before each run (a directory the command must create)."""
        runs = []
        for _ in range(args.runs):
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)
            runs.append(measure(cmd, 'archive_cost'))
        return min(r[0] for r in runs), max(r[1] for r in runs)
    rows = []
    for size in [int(s) for s in args.sizes.split(',')]:
        archive_jsonl, today = split(crawl(size + args.today), size, args.today)
        arc = os.path.join(WORK, f'arc-{size}')
        shutil.rmtree(arc, ignore_errors=True)
        outs = {k: os.path.join(WORK, f'out-{k}-{size}') for k in ('scan', 'full', 'against')}
        scan = best([sada, 'scan', '-q', *threads, '--out', outs['scan'], archive_jsonl])
        create = best([sada, 'index', 'create', '-q', *threads, arc, archive_jsonl], fresh=arc)
        full = best([sada, 'scan', '-q', *threads, '--out', outs['full'], archive_jsonl, today])
        against = best([sada, 'scan', '-q', *threads, '--out', outs['against'], '--against', arc, today])
        with open(os.path.join(arc, 'manifest.json')) as f:
            on_disk = sum(s['bytes'] for s in json.load(f)['segments'])
        want = restricted(outs['full'], size)
        got = (jsonl(os.path.join(outs['against'], 'clusters.jsonl')),
               jsonl(os.path.join(outs['against'], 'statements.jsonl')))
        same = 'yes' if got == want else 'NO'
        rows.append((size, scan, create, on_disk / size, os.path.getsize(archive_jsonl) / size, full, against,
                     len(want[0]), len(want[1]), same))
        shutil.rmtree(arc, ignore_errors=True)
        for o in outs.values():
            shutil.rmtree(o, ignore_errors=True)
    print(f'today: {args.today} documents; wall seconds / peak RSS MiB'
          + (f' (least / greatest of {args.runs} runs)' if args.runs > 1 else ''))
    print('| archive | plain scan | index create | archive bytes/doc (JSONL bytes/doc) | full rescan | '
          '--against | against / full (time) | clusters, statements with today | same as full |')
    print('|---|---|---|---|---|---|---|---|---|')
    for size, scan, create, per_doc, jsonl_per_doc, full, against, nc, ns, same in rows:
        print(f'| {size:,} | {scan[0]:.1f} s / {scan[1]:.0f} | {create[0]:.1f} s / {create[1]:.0f} | '
              f'{per_doc:.0f} ({jsonl_per_doc:.0f}) | {full[0]:.1f} s / {full[1]:.0f} | '
              f'{against[0]:.1f} s / {against[1]:.0f} | {against[0] / full[0]:.2f} | {nc:,}, {ns:,} | {same} |')
    if any(r[-1] != 'yes' for r in rows):
        sys.exit('archive_cost: --against differs from the full rescan')


if __name__ == '__main__':
    main()
