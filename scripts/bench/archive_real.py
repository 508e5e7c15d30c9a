#!/usr/bin/env python3
"""A day against an archive on REAL text (issue #21): for each corpus of
scripts/corpora/real_corpora.py (hadith collections with their isnad chains, Debian copyright
files with their licences, man pages), the first 90% of its records are archived with
`sada index create` and the last 10% scanned against them with `sada scan --against`, beside a
full `sada scan` of both; prints one Markdown table: how the archive was read (`stored`, or
`texts` with the reason sada gave), wall seconds of each, the clusters and statements with a new
record, and whether they are the full scan's (they must be: the script exits 1 otherwise).

    python3 scripts/bench/archive_real.py [--sada target/release/sada] [--dir target/real]
                                          [--corpora "bukhari tirmidhi copyright man-nogcloud"]
                                          [--share 0.1]

Corpora missing under DIR are built with scripts/corpora/real_corpora.py. Work files go to
DIR/archive-NAME/. Standard library only.
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cost_module():
    """`restricted` and `jsonl` of archive_cost.py: the full scan's answer cut as --against cuts it."""
    spec = importlib.util.spec_from_file_location(
        'archive_cost', os.path.join(ROOT, 'scripts', 'bench', 'archive_cost.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(cmd):
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f'archive_real: {" ".join(cmd)} failed:\n{done.stderr}')
    return time.monotonic() - start, done.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sada', default=os.path.join(ROOT, 'target', 'release', 'sada'))
    ap.add_argument('--dir', default=os.path.join(ROOT, 'target', 'real'))
    ap.add_argument('--corpora', default='bukhari tirmidhi copyright man-nogcloud')
    ap.add_argument('--share', type=float, default=0.1)
    args = ap.parse_args()
    ac = cost_module()
    sada = os.path.abspath(args.sada)
    rows, differ = [], False
    for name in args.corpora.split():
        corpus = os.path.join(args.dir, name, 'corpus.jsonl')
        if not os.path.exists(corpus):
            subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'corpora', 'real_corpora.py'),
                            '--out', args.dir, '--only', name], check=True)
        work = os.path.join(args.dir, f'archive-{name}')
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        with open(corpus, 'rb') as f:
            lines = f.readlines()
        cut = len(lines) - max(1, int(len(lines) * args.share))
        archive, today = os.path.join(work, 'archive.jsonl'), os.path.join(work, 'today.jsonl')
        with open(archive, 'wb') as f:
            f.writelines(lines[:cut])
        with open(today, 'wb') as f:
            f.writelines(lines[cut:])
        full_s, _ = run([sada, 'scan', '-q', '--out', os.path.join(work, 'full'), archive, today])
        create_s, _ = run([sada, 'index', 'create', '-q', os.path.join(work, 'arc'), archive])
        against_s, said = run([sada, 'scan', '--out', os.path.join(work, 'day'), '--against',
                               os.path.join(work, 'arc'), today])
        with open(os.path.join(work, 'day', 'summary.json')) as f:
            how = json.load(f)['archive']['analyses']
        why = [line.split('(slower): ', 1)[1] for line in said.splitlines() if "read the archive's texts" in line]
        want = ac.restricted(os.path.join(work, 'full'), cut)
        got = (ac.jsonl(os.path.join(work, 'day', 'clusters.jsonl')),
               ac.jsonl(os.path.join(work, 'day', 'statements.jsonl')))
        same = got == want
        differ |= not same
        rows.append((name, cut, len(lines) - cut, how + (f' ({why[0]})' if why else ''), full_s, create_s,
                     against_s, len(want[0]), len(want[1]), 'yes' if same else 'NO'))
    print('| corpus | archived | today | read | full scan s | index create s | scan --against s | '
          'clusters, statements with today | same as full |')
    print('|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r[0]} | {r[1]:,} | {r[2]:,} | {r[3]} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} | '
              f'{r[7]:,}, {r[8]:,} | {r[9]} |')
    if differ:
        sys.exit('archive_real: --against differs from the full scan')


if __name__ == '__main__':
    main()
