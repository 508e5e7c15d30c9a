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
             (texts; analyses and pairs; anchor postings; word hashes; statement state)
  full       `sada scan ARCHIVE.jsonl TODAY.jsonl`: the full rescan
  against    `sada scan --against DIR TODAY.jsonl`: the daily run, clusters and statements
             from the stored analyses and statement state
  full-ns, against-ns   the same two with --no-statements: document clusters only, which
             `--against` answers from the archive's stored analyses
  add        `sada index add DIR TODAY.jsonl`: appending the day (run last: it changes DIR)

and checks that each `against` reports what its `full` reports about today (the clusters and
statements with a new document, archived members flagged). Prints two Markdown tables. Files go
to target/archive-bench/ (the crawl is kept between runs). Standard library only.
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
        kinds = ('scan', 'full', 'against', 'full-ns', 'against-ns')
        outs = {k: os.path.join(WORK, f'out-{k}-{size}') for k in kinds}
        ns = ['--no-statements']
        r = {'size': size, 'jsonl_per_doc': os.path.getsize(archive_jsonl) / size}
        r['scan'] = best([sada, 'scan', '-q', *threads, '--out', outs['scan'], archive_jsonl])
        r['create'] = best([sada, 'index', 'create', '-q', *threads, arc, archive_jsonl], fresh=arc)
        r['full'] = best([sada, 'scan', '-q', *threads, '--out', outs['full'], archive_jsonl, today])
        r['against'] = best([sada, 'scan', '-q', *threads, '--out', outs['against'], '--against', arc, today])
        r['full-ns'] = best([sada, 'scan', '-q', *ns, *threads, '--out', outs['full-ns'], archive_jsonl, today])
        r['against-ns'] = best([sada, 'scan', '-q', *ns, *threads, '--out', outs['against-ns'], '--against', arc,
                                today])
        with open(os.path.join(arc, 'manifest.json')) as f:
            m = json.load(f)
        r['texts_per_doc'] = sum(s['bytes'] for s in m['segments']) / size
        r['analyses_per_doc'] = (sum(s['analysis']['bytes'] for s in m['segments'])
                                 + (m['edges']['bytes'] if m.get('edges') else 0)) / size
        r['postings_per_doc'] = sum(s['postings']['bytes'] for s in m['segments']) / size
        r['words_per_doc'] = sum(s['words']['bytes'] for s in m['segments']) / size
        r['state_per_doc'] = sum(m['state'][k]['bytes'] for k in ('docs', 'links', 'order')) / size
        for kind, full in (('against', 'full'), ('against-ns', 'full-ns')):
            want = restricted(outs[full], size)
            got = (jsonl(os.path.join(outs[kind], 'clusters.jsonl')),
                   jsonl(os.path.join(outs[kind], 'statements.jsonl')))
            r[f'same-{kind}'] = 'yes' if got == want else 'NO'
            r[f'found-{kind}'] = (len(want[0]), len(want[1]))
        for kind in ('against', 'against-ns'):
            with open(os.path.join(outs[kind], 'summary.json')) as f:
                r[f'analyses-{kind}'] = json.load(f)['archive']['analyses']
        # Last: it grows the archive (each run on a fresh copy would cost a copy of it).
        r['add'] = measure([sada, 'index', 'add', '-q', *threads, arc, today], 'archive_cost')
        rows.append(r)
        shutil.rmtree(arc, ignore_errors=True)
        for o in outs.values():
            shutil.rmtree(o, ignore_errors=True)
    ws = lambda t: f'{t[0]:.1f} s / {t[1]:.0f}'  # noqa: E731
    print(f'today: {args.today} documents; wall seconds / peak RSS MiB'
          + (f' (least / greatest of {args.runs} runs)' if args.runs > 1 else ''))
    print()
    print('Building the archive:')
    print()
    print('| archive | plain scan | index create | bytes/doc on disk: texts + analyses and pairs + postings + '
          'words + statement state (JSONL) | index add of the day |')
    print('|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['size']:,} | {ws(r['scan'])} | {ws(r['create'])} | {r['texts_per_doc']:.0f} + "
              f"{r['analyses_per_doc']:.0f} + {r['postings_per_doc']:.0f} + {r['words_per_doc']:.0f} + "
              f"{r['state_per_doc']:.0f} ({r['jsonl_per_doc']:.0f}) | {ws(r['add'])} |")
    print()
    print('The daily run:')
    print()
    print('| archive | run | full rescan | --against | against / full (time) | '
          'clusters, statements with today | same as full |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        for kind, full, what in (('against', 'full', f"clusters and statements ({r['analyses-against']})"),
                                 ('against-ns', 'full-ns', f"--no-statements ({r['analyses-against-ns']})")):
            nc, nst = r[f'found-{kind}']
            print(f"| {r['size']:,} | {what} | {ws(r[full])} | {ws(r[kind])} | {r[kind][0] / r[full][0]:.3f} | "
                  f"{nc:,}, {nst:,} | {r[f'same-{kind}']} |")
    if any(r['same-against'] != 'yes' or r['same-against-ns'] != 'yes' for r in rows):
        sys.exit('archive_cost: --against differs from the full rescan')

if __name__ == '__main__':
    main()
