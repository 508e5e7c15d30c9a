#!/usr/bin/env python3
"""Two or more sada builds side by side on the signing bench corpus: CPU, wall and peak RSS.

    python3 scripts/bench/compare-builds.py [--runs 20] [--threads 1] [--times 1]
                                            [--format bin|none] [--corpus FILE] BINARY [BINARY ...]

Each build runs `sada sign --quiet --threads T --out /dev/null CORPUS` --runs times, the builds
interleaved run by run (so a burst of load from elsewhere hits every build alike), and the
medians and minima are printed. Single runs on a shared VM vary by +-15%: compare medians of 10+
runs, and keep a build for a difference that survives that.

CORPUS is target/bench/arabic-n4000-s7/corpus.jsonl (made by scripts/bench/bench-peers.sh)
unless --corpus names another (e.g. target/quality/latin/corpus.jsonl, made by
scripts/eval/quality.sh), or that corpus --times K over (written once to target/bench/arabic-n4000-s7/corpus-xK.jsonl).
To compare against an older commit, build it elsewhere (git worktree add ../old REV; cargo
build --release there) and pass both binaries.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

CORPUS = os.path.join(ROOT, 'target', 'bench', 'arabic-n4000-s7', 'corpus.jsonl')


def corpus(base, times):
    if not os.path.exists(base):
        sys.exit(f'compare-builds: {base} is missing; run scripts/bench/bench-peers.sh '
                 '--tools sada first (or scripts/eval/quality.sh for the quality corpora)')
    if times == 1:
        return base
    path = base.replace('.jsonl', f'-x{times}.jsonl')
    if not os.path.exists(path):
        with open(path + '.tmp', 'wb') as out:
            for _ in range(times):
                with open(base, 'rb') as f:
                    shutil.copyfileobj(f, out)
        os.replace(path + '.tmp', path)
    return path


def run(binary, args):
    """One run: (user s, sys s, wall s, peak RSS MiB) of the child alone (wait4)."""
    start = time.monotonic()
    p = subprocess.Popen([binary, *args])
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        sys.exit(f'compare-builds: {binary} exited with status {status}')
    return usage.ru_utime, usage.ru_stime, wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('binaries', nargs='+')
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--times', type=int, default=1)
    ap.add_argument('--format', default='bin', choices=['bin', 'none'])
    ap.add_argument('--corpus', default=CORPUS, help='JSONL to sign (default: the signing bench corpus)')
    a = ap.parse_args()
    path = corpus(a.corpus, a.times)
    args = ['sign', '--quiet', '--threads', str(a.threads), '--format', a.format, '--out', os.devnull, path]
    results = {b: [] for b in a.binaries}
    for _ in range(a.runs):
        for b in a.binaries:
            results[b].append(run(b, args))
    mb = os.path.getsize(path) / 1e6
    print(f'{path}: {mb:.1f} MB of JSONL; sada {" ".join(args[:-1])} ...; {a.runs} runs each, interleaved')
    print(f'{"binary":40} {"user":>7} {"sys":>7} {"CPU":>7} {"min CPU":>8} {"wall":>7} {"RSS MiB":>8}')
    for b, rs in results.items():
        med = [statistics.median(x) for x in zip(*rs)]
        cpu = [u + s for u, s, _, _ in rs]
        print(f'{b[-40:]:40} {med[0]:7.3f} {med[1]:7.3f} {statistics.median(cpu):7.3f} {min(cpu):8.3f} '
              f'{med[2]:7.3f} {med[3]:8.1f}')
    print('medians in seconds (user, sys, user+sys, wall) and MiB (peak RSS); min CPU is the least user+sys')


if __name__ == '__main__':
    main()
