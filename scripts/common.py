"""Helpers shared by the scripts that run sada beside its peers (bench/bench_peers.py,
eval/peers_quality.py) and by the evaluators: paths, the peers' virtualenv, generated corpora,
table formatting. Standard library only.

How the scripts import: every script, in whichever subdirectory of scripts/, starts with

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/

and then imports this module as `common` and the others by package: `from eval.normalizer
import normalize_tokens`, `from eval.eval_clusters import evaluate`, `from corpora import
gen_corpus`. scripts/bench, scripts/eval and scripts/corpora are packages (each has an
__init__.py), so a module called `eval` or `corpora` elsewhere on sys.path cannot shadow them."""
import json
import os
import subprocess
import sys

SCRIPTS = os.path.dirname(os.path.abspath(__file__))  # scripts/
ROOT = os.path.dirname(SCRIPTS)  # the repository
# The private virtualenv of the peers, shared by bench_peers.py and peers_quality.py.
VENV = os.path.join(ROOT, 'target', 'peers-venv')
PACKAGES = ('datasketch', 'gaoya', 'rensa')


def venv_python():
    return os.path.join(VENV, 'bin', 'python')


def tail(text, n=3):
    """The last `n` non-blank lines of `text`, joined by ' | ' (for one-line error reports)."""
    lines = [ln for ln in (text or '').strip().splitlines() if ln.strip()]
    return ' | '.join(lines[-n:])


def fmt(x, nd=4):
    return 'n/a' if x is None else f'{x:.{nd}f}'


def ensure_venv(who):
    """Create the peers' virtualenv if needed and pip-install the peers it lacks. Returns
    {package: reason} for those that cannot be had; progress goes to stderr as `who: ...`."""
    py = venv_python()
    if not os.path.exists(py):
        print(f'{who}: creating virtualenv {os.path.relpath(VENV, ROOT)}', file=sys.stderr)
        r = subprocess.run([sys.executable, '-m', 'venv', VENV], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(py):
            return {p: 'python3 -m venv failed: ' + tail(r.stderr or r.stdout) for p in PACKAGES}
    unavailable = {}
    for pkg in PACKAGES:
        if subprocess.run([py, '-c', f'import {pkg}'], capture_output=True).returncode == 0:
            continue
        print(f'{who}: pip install {pkg}', file=sys.stderr)
        r = subprocess.run([py, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                            pkg], capture_output=True, text=True)
        chk = subprocess.run([py, '-c', f'import {pkg}'], capture_output=True, text=True)
        if chk.returncode != 0:
            why = ('pip install failed: ' + tail(r.stderr or r.stdout)) if r.returncode \
                else 'installed but import failed: ' + tail(chk.stderr)
            unavailable[pkg] = why
            print(f'{who}: {pkg} unavailable ({why})', file=sys.stderr)
    return unavailable


def generate_corpus(d, script, originals, seed):
    """Makes sure `d` holds corpora/gen_corpus.py's corpus.jsonl and truth.jsonl for these parameters
    (recorded in d/params.json), generating them when missing or made with others."""
    stamp = os.path.join(d, 'params.json')
    want = {'script': script, 'originals': originals, 'seed': seed}
    files = [os.path.join(d, f) for f in ('corpus.jsonl', 'truth.jsonl', 'params.json')]
    if all(os.path.exists(f) for f in files):
        with open(stamp) as f:
            if json.load(f) == want:
                return
    os.makedirs(d, exist_ok=True)
    print(f'generating {script} corpus ({originals} originals, seed {seed}) in '
          f'{os.path.relpath(d, ROOT)}', file=sys.stderr)
    subprocess.run([sys.executable, os.path.join(SCRIPTS, 'corpora', 'gen_corpus.py'),
                    '--out', d, '--script', script, '--originals', str(originals),
                    '--seed', str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    with open(stamp, 'w') as f:
        json.dump(want, f)


# Runs a command and prints its wall seconds and peak RSS (KiB). From a fresh small process:
# Linux carries the peak RSS of the process that forks over exec, and a script that made a
# corpus in memory is large.
TIMER = """import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_, status, usage = os.wait4(p.pid, 0)
if status:
    sys.exit(err.decode(errors='replace'))
print(time.perf_counter() - t, usage.ru_maxrss)
"""


def measure(cmd, who):
    """Wall seconds and peak RSS (MiB) of one run of `cmd`; exits naming `who` when it fails."""
    r = subprocess.run([sys.executable, '-c', TIMER] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'{who}: {" ".join(cmd)} failed: {r.stderr.strip()}')
    wall, rss = r.stdout.split()
    return float(wall), int(rss) / 1024

