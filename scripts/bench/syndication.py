#!/usr/bin/env python3
"""What wire copy costs the statement stages: one crawl in which every wire passage recurs in K
documents, beside two controls without that repetition.

    python3 scripts/bench/syndication.py [--docs 1000000] [--k 45] [--limit 2G] [--runs 1]
                                         [--sada PATH]

Crawls (examples/gen_crawl.rs, generated under target/crawl/ when missing):
  syndicated   --syndicate K: two wire passages of 15-40 words per original document, each
               passage in exactly K documents
  unique       --syndicate 1: the same crawl shape and size, every wire passage in one document
               (the same crawl without the repetition)
  plain        no wire passages at all (a quarter less text; scripts/bench/bench-1m.sh's crawl)

For each crawl `sada scan --quiet --memory-limit LIMIT` runs under /usr/bin/time; printed: wall
and CPU seconds, peak RSS, pairs aligned, passages, statements, the match / align / group stage
seconds from summary.json, and their sum ("statement stages"); then the syndicated crawl's
statement stages as a multiple of each control's. With --runs N every scan is repeated and the
least stage times and the greatest RSS are kept (a noisy machine only ever adds time).
Builds nothing but the generator: build sada first (`cargo build --release`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

STAGES = ("match", "align", "group")


def generate(name, docs, syndicate):
    """target/crawl/NAME-DOCS.jsonl from gen_crawl, generated once."""
    out = os.path.join(ROOT, "target", "crawl", f"{name}-{docs}.jsonl")
    if os.path.exists(out):
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = ["cargo", "run", "--quiet", "--release", "--example", "gen_crawl", "--",
           "--docs", str(docs), "--out", out + ".part"]
    if syndicate:
        cmd += ["--syndicate", str(syndicate)]
    print("syndication: " + " ".join(cmd[5:]), file=sys.stderr)
    subprocess.run(cmd, cwd=ROOT, check=True)
    os.replace(out + ".part", out)
    return out


def scan(sada, path, limit):
    """One timed scan: (wall s, CPU s, peak RSS bytes, summary.json)."""
    out = tempfile.mkdtemp(prefix="sada-syndication-")
    try:
        cmd = ["/usr/bin/time", "-f", "%e %U %S %M", sada, "scan", "--quiet", "--memory-limit",
               limit, path, "--out", os.path.join(out, "o")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"syndication: sada failed on {path}: {r.stderr.strip()[-500:]}")
        wall, user, sys_s, rss = r.stderr.strip().splitlines()[-1].split()
        with open(os.path.join(out, "o", "summary.json")) as f:
            summary = json.load(f)
        return float(wall), float(user) + float(sys_s), int(rss) * 1024, summary
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=45, help="documents per wire passage")
    ap.add_argument("--limit", default="2G", help="--memory-limit of every scan")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--sada", default=os.path.join(ROOT, "target", "release", "sada"))
    args = ap.parse_args()
    if not os.path.exists(args.sada):
        sys.exit(f"syndication: no {args.sada}; build it first (cargo build --release)")
    crawls = [("syndicated", args.k), ("unique", 1), ("plain", 0)]
    rows = {}
    for name, k in crawls:
        # The plain crawl is bench-1m.sh's.
        path = generate({"plain": "crawl", "unique": "unique1"}.get(name, f"syndicated{k}"), args.docs, k)
        best = None
        for _ in range(args.runs):
            wall, cpu, rss, s = scan(args.sada, path, args.limit)
            t = s["run"]["timings"]
            stages = {st: t[st] for st in STAGES}
            if best is None:
                best = {"wall": wall, "cpu": cpu, "rss": rss, "stages": stages, "summary": s}
            else:
                best["wall"], best["cpu"] = min(best["wall"], wall), min(best["cpu"], cpu)
                best["rss"] = max(best["rss"], rss)
                best["stages"] = {st: min(best["stages"][st], stages[st]) for st in STAGES}
        rows[name] = best
    print(f"{args.docs:,} documents, --memory-limit {args.limit}, {args.runs} run(s) each, "
          f"{os.path.relpath(args.sada, ROOT)}")
    print("| crawl | text MB | wall s | CPU s | peak RSS GiB | pairs aligned | passages | "
          "statements (+boilerplate) | match / align / group s | statement stages s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, _ in crawls:
        r = rows[name]
        s, st = r["summary"], r["stages"]
        print(f"| {name} | {s['text_bytes'] / 1e6:,.0f} | {r['wall']:.1f} | {r['cpu']:.1f} | "
              f"{r['rss'] / 2**30:.2f} | {s['pairs']['aligned']:,} | {s['pairs']['passages']:,} | "
              f"{s['statements']:,} (+{s['boilerplate_statements']:,}) | "
              f"{st['match']:.1f} / {st['align']:.1f} / {st['group']:.1f} | {sum(st.values()):.1f} |")
    synd = sum(rows["syndicated"]["stages"].values())
    for name in ("unique", "plain"):
        print(f"syndicated / {name}: {synd / sum(rows[name]['stages'].values()):.2f}x statement stages")


if __name__ == "__main__":
    main()
