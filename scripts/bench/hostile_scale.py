#!/usr/bin/env python3
"""The big hostile inputs of issue 17, each at x1, x2 and x4, under one --memory-limit.

    python3 scripts/bench/hostile_scale.py [--limit 512M] [--scales 1,2,4] [--cases near,gpl,...]
                                           [--runs N]

Builds nothing: runs target/release/sada (build it first). For every case it
generates the input under target/hostile/, runs `sada scan --quiet
--memory-limit LIMIT` under /usr/bin/time and prints wall and CPU seconds,
peak RSS, the peak's margin over the limit, what came out (documents by
status, clusters, statements) and the growth exponent of CPU time against
the input between consecutive scales (1.0 = linear; the first scale prints
'-'). With --runs N every scan is repeated N times on the same input and the
least wall and CPU time and the greatest peak RSS are printed: a noisy
machine only ever adds time, so the minimum is the cost of the work. Nothing is downloaded; the GPL text is Debian's
/usr/share/common-licenses/GPL-3.

Cases (x1 sizes; each scale multiplies the count):
  nested   50 WARC pages of 32,000 unclosed <div>s, beside 50 articles
  bombs    1 WARC response whose gzip body decodes to 200 MB of markup
  near     12,500 near-identical pages (300 words, 3 substitutions each)
  gpl      1,000 copies of the GPL-3, each with 600 words of its own
  bigtxt   one 50 MB .txt file of random words
  nul      one 128 MB file of NUL bytes
  repeat   64 documents repeating one sentence 1,000 times
  syndic   25,000 documents, every wire passage in 45 of them (gen_crawl --syndicate 45)
"""

import argparse
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

SADA = os.path.join(ROOT, "target", "release", "sada")
WORK = os.path.join(ROOT, "target", "hostile")


def warc_record(rid, uri, headers, body):
    """One WARC response record holding an HTTP response."""
    http = b"HTTP/1.1 200 OK\r\n" + headers.encode() + b"\r\n" + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{rid}>\r\nWARC-Target-URI: {uri}\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def words(rng, n, vocab=5000):
    return [f"w{rng.randrange(vocab)}" for _ in range(n)]


def gen_nested(k, d):
    rng = random.Random(k)
    path = os.path.join(d, "nested.warc")
    html = "Content-Type: text/html; charset=utf-8\r\n"
    with open(path, "wb") as f:
        for i in range(50 * k):
            deep = "<html><body>" + "<div>" * 32000 + "deep text</body></html>"
            f.write(warc_record(f"n{i}", f"https://deep.example/{i}", html, deep.encode()))
            page = "<html><body><article><p>" + " ".join(words(rng, 200)) + "</p></article></body></html>"
            f.write(warc_record(f"a{i}", f"https://fine.example/{i}", html, page.encode()))
    return [path]


def gen_bombs(k, d):
    path = os.path.join(d, "bombs.warc")
    piece = b"<p>" + b"bomb " * 200 + b"</p>\n"
    reps = 200_000_000 // len(piece)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b"".join([comp.compress(piece * 1000) for _ in range(reps // 1000)]) + comp.flush()
    headers = "Content-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
    with open(path, "wb") as f:
        for i in range(k):
            f.write(warc_record(f"b{i}", f"https://bomb.example/{i}", headers, body))
    return [path]


def gen_near(k, d):
    rng = random.Random(7)
    base = words(rng, 300)
    path = os.path.join(d, "near.jsonl")
    with open(path, "w") as f:
        for i in range(12_500 * k):
            t = list(base)
            for _ in range(3):
                t[rng.randrange(300)] = f"x{rng.randrange(5000)}"
            f.write(json.dumps({"id": i, "text": " ".join(t)}) + "\n")
    return [path]


def gen_gpl(k, d):
    rng = random.Random(3)
    gpl = open("/usr/share/common-licenses/GPL-3", encoding="utf-8").read()
    path = os.path.join(d, "gpl.jsonl")
    with open(path, "w") as f:
        for i in range(1_000 * k):
            own = " ".join(f"u{i}x{j}" for j in range(600))
            f.write(json.dumps({"id": i, "text": gpl + "\n" + own}) + "\n")
    return [path]


def gen_bigtxt(k, d):
    rng = random.Random(5)
    path = os.path.join(d, "big.txt")
    vocab = [f"w{i}" for i in range(50_000)]
    with open(path, "w") as f:
        written = 0
        while written < 50_000_000 * k:
            line = " ".join(rng.choices(vocab, k=2000)) + "\n"
            f.write(line)
            written += len(line)
    return [path]


def gen_nul(k, d):
    path = os.path.join(d, "nul.txt")
    chunk = b"\0" * (1 << 20)
    with open(path, "wb") as f:
        for _ in range(128 * k):
            f.write(chunk)
    return [path]


def gen_repeat(k, d):
    path = os.path.join(d, "repeat.jsonl")
    sentence = "the minister said that the talks would resume next week in the capital"
    with open(path, "w") as f:
        for i in range(64 * k):
            f.write(json.dumps({"id": i, "text": " ".join([sentence] * 1000) + f" own{i}"}) + "\n")
    return [path]


def gen_syndic(k, d):
    path = os.path.join(d, "syndic.jsonl")
    subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "gen_crawl", "--",
         "--docs", str(25_000 * k), "--out", path, "--syndicate", "45"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [path]


CASES = {
    "nested": gen_nested, "bombs": gen_bombs, "near": gen_near, "gpl": gen_gpl,
    "bigtxt": gen_bigtxt, "nul": gen_nul, "repeat": gen_repeat, "syndic": gen_syndic,
}


def parse_size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * units[s[-1].upper()]) if s[-1].upper() in units else int(s)


def run(case, k, limit, runs):
    d = os.path.join(WORK, f"{case}-x{k}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    inputs = CASES[case](k, d)
    size = sum(os.path.getsize(p) for p in inputs)
    out = os.path.join(d, "out")
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", SADA, "scan", "--quiet", "--memory-limit", limit, "--out", out] + inputs
    row = {"case": case, "scale": k, "input_mb": size / 1e6}
    for _ in range(runs):
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall, user, sys_, rss_kb = p.stderr.strip().splitlines()[-1].split()
        row["exit"] = max(row.get("exit", 0), p.returncode)
        row["wall"] = min(row.get("wall", math.inf), float(wall))
        row["cpu"] = min(row.get("cpu", math.inf), float(user) + float(sys_))
        row["rss_mb"] = max(row.get("rss_mb", 0), int(rss_kb) / 1024)
    try:
        s = json.load(open(os.path.join(out, "summary.json")))
        row["docs"] = f"{s['ok']} ok / {s['empty']} empty / {s['error']} error"
        row["clusters"] = s["clusters"]
        row["statements"] = s["statements"]
    except OSError:
        row["docs"] = "no outputs"
    for p_ in inputs:
        os.remove(p_)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", default="512M")
    ap.add_argument("--scales", default="1,2,4")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--runs", type=int, default=1, help="scans per input; least time, greatest RSS")
    a = ap.parse_args()
    if not os.path.exists(SADA):
        sys.exit("hostile_scale.py: build sada first (cargo build --release)")
    limit_mb = parse_size(a.limit) / (1 << 20)
    scales = [int(x) for x in a.scales.split(",")]
    print(f"--memory-limit {a.limit}; {a.runs} run(s) each; exponent = log(cpu ratio) / log(input ratio) between scales")
    print("| case | scale | input MB | exit | wall s | CPU s | peak RSS MB | over limit MB | exponent | documents | clusters | statements |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in a.cases.split(","):
        prev = None
        for k in scales:
            r = run(case, k, a.limit, a.runs)
            exp = "-"
            if prev and prev["cpu"] > 0.05 and r["input_mb"] > prev["input_mb"]:
                exp = f"{math.log(r['cpu'] / prev['cpu']) / math.log(r['input_mb'] / prev['input_mb']):.2f}"
            print(f"| {case} | x{k} | {r['input_mb']:.1f} | {r['exit']} | {r['wall']:.1f} | {r['cpu']:.1f} | "
                  f"{r['rss_mb']:.0f} | {r['rss_mb'] - limit_mb:+.0f} | {exp} | {r['docs']} | "
                  f"{r.get('clusters', '-')} | {r.get('statements', '-')} |", flush=True)
            prev = r


if __name__ == "__main__":
    main()
