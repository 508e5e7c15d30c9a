#!/usr/bin/env python3
"""Do two sada builds write the same outputs? Byte for byte, over many inputs.

    python3 scripts/eval/same_outputs.py [--threads 2] [--work DIR] [--args "..."]
                                         [--processes P] OLD NEW [INPUT ...]

Runs `OLD scan` and `NEW scan` on each INPUT (a file or directory) and compares every file they
write: documents.jsonl, clusters.jsonl and statements.jsonl byte for byte, summary.json without
its `run` part (threads, memory limit, timings) and report.html without the region between
`<!--run-->` and `<!--/run-->` (the same parts the determinism tests strip). Without INPUTs it
takes the seeds, the generated corpora that scripts/eval/coherence.sh and scripts/eval/quality.sh
leave in target/ (made first with their generators when missing) and the real corpora of
scripts/corpora/real_corpora.py under target/real/ that are there.

With `--processes P`, NEW runs as a cluster of P processes on loopback (`--hosts`, one
`--process` each, every one with its own output directory; process 0's is compared): OLD and NEW
may then be the same binary, and the question is whether a cluster writes what one process
writes.

Exits 0 when every input gave the same outputs, 1 naming the first differing line of each file
that differs. What a refactoring claims ("outputs byte-identical") is what this prints.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

FILES = ['documents.jsonl', 'clusters.jsonl', 'statements.jsonl', 'summary.json', 'report.html']
RUN_REGION = re.compile(rb'<!--run-->.*?<!--/run-->', re.S)


def default_inputs():
    inputs = [os.path.join(ROOT, 'seeds')]
    gen = os.path.join(ROOT, 'target', 'same-outputs')
    made = [
        ('chain', ['scripts/corpora/gen_adversarial.py', '--kind', 'chain', '--scale', '1']),
        ('repeat', ['scripts/corpora/gen_adversarial.py', '--kind', 'repeat', '--scale', '1']),
        ('boilerplate', ['scripts/corpora/gen_adversarial.py', '--kind', 'boilerplate', '--scale', '1']),
        ('formulaic', ['scripts/corpora/gen_adversarial.py', '--kind', 'formulaic', '--scale', '1']),
        ('arabic', ['scripts/corpora/gen_corpus.py', '--script', 'arabic', '--originals', '300', '--quotes', '30',
                    '--seed', '1']),
        ('latin', ['scripts/corpora/gen_corpus.py', '--script', 'latin', '--originals', '300', '--quotes', '30',
                   '--seed', '2']),
    ]
    for name, cmd in made:
        out = os.path.join(gen, name)
        if not os.path.exists(os.path.join(out, 'corpus.jsonl')):
            subprocess.run([sys.executable, os.path.join(ROOT, cmd[0]), '--out', out] + cmd[1:],
                           check=True, stdout=subprocess.DEVNULL)
        inputs.append(os.path.join(out, 'corpus.jsonl'))
    for name in ['tirmidhi', 'copyright', 'man-nogcloud', 'man']:
        path = os.path.join(ROOT, 'target', 'real', name)
        if os.path.exists(path):
            inputs.append(path)
    return inputs


def normalized(path, name):
    with open(path, 'rb') as f:
        data = f.read()
    if name == 'summary.json':
        summary = json.loads(data)
        summary.pop('run', None)
        return json.dumps(summary, indent=1, sort_keys=True).encode()
    if name == 'report.html':
        return RUN_REGION.sub(b'', data)
    return data


def free_ports(n):
    """n ports free on 127.0.0.1 now (bound, then let go for sada)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(('127.0.0.1', 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def run_cluster(binary, processes, threads, out, args, inp):
    """Runs `binary scan` as `processes` processes on loopback; process 0 writes `out`."""
    hosts = out + '.hosts'
    with open(hosts, 'w') as f:
        f.writelines(f'127.0.0.1:{p}\n' for p in free_ports(processes))
    procs = []
    for i in range(processes):
        mine = out if i == 0 else f'{out}-p{i}'
        shutil.rmtree(mine, ignore_errors=True)
        cmd = [binary, 'scan', '--quiet', '--threads', str(threads), '--out', mine, '--hosts', hosts,
               '--process', str(i)] + args + [inp]
        procs.append((cmd, subprocess.Popen(cmd, stderr=subprocess.PIPE)))
    for cmd, p in procs:
        _, err = p.communicate(timeout=3600)
        if p.returncode != 0:
            sys.exit(f'same_outputs: {" ".join(cmd)} exited {p.returncode}:\n{err.decode(errors="replace")}')


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a.split(b'\n'), b.split(b'\n'))):
        if x != y:
            return f'line {i + 1}:\n    old: {x[:200]!r}\n    new: {y[:200]!r}'
    return f'one is a prefix of the other ({len(a)} vs {len(b)} bytes)'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('old')
    ap.add_argument('new')
    ap.add_argument('inputs', nargs='*')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--work', default=os.path.join(ROOT, 'target', 'same-outputs', 'runs'))
    ap.add_argument('--args', default='', help='more `sada scan` arguments, for both builds')
    ap.add_argument('--processes', type=int, default=0,
                    help='run NEW as a loopback cluster of this many processes')
    a = ap.parse_args()
    inputs = a.inputs or default_inputs()
    differing = 0
    for n, inp in enumerate(inputs):
        outs = []
        for label, binary in (('old', a.old), ('new', a.new)):
            out = os.path.join(a.work, f'{n}-{label}')
            shutil.rmtree(out, ignore_errors=True)
            if label == 'new' and a.processes:
                run_cluster(binary, a.processes, a.threads, out, a.args.split(), inp)
                outs.append(out)
                continue
            cmd = [binary, 'scan', '--quiet', '--threads', str(a.threads), '--out', out] + a.args.split() + [inp]
            r = subprocess.run(cmd, stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit(f'same_outputs: {" ".join(cmd)} exited {r.returncode}:\n{r.stderr.decode(errors="replace")}')
            outs.append(out)
        bad = []
        for name in FILES:
            old, new = (os.path.join(o, name) for o in outs)
            if not os.path.exists(old) or not os.path.exists(new):
                if os.path.exists(old) != os.path.exists(new):
                    bad.append(f'{name}: written by one build only')
                continue
            x, y = normalized(old, name), normalized(new, name)
            if x != y:
                bad.append(f'{name}: {first_difference(x, y)}')
        rel = os.path.relpath(inp, ROOT) if inp.startswith(ROOT) else inp
        if bad:
            differing += 1
            print(f'DIFFERENT {rel}')
            for b in bad:
                print(f'  {b}')
        else:
            print(f'same      {rel}')
    print(f'{len(inputs) - differing} of {len(inputs)} inputs give the same outputs')
    sys.exit(1 if differing else 0)


if __name__ == '__main__':
    main()
