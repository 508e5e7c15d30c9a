#!/usr/bin/env python3
"""Chinese and Japanese near-duplicates and shared sentences, from real text on this machine.

    python3 scripts/eval/cjk_eval.py [--changes 5] [--seed 1]

The text is Debian's own translations (nothing downloaded): the zh_CN and ja
man pages (roff stripped), vim's tutors and GnuPG's help in those languages,
where installed. Sentences (split at 。！？) are used once each, so the
generated originals share nothing; then, per language:

- every original (200-400 characters) gets a near-duplicate with `--changes`
  characters replaced by others of the corpus: recall = share of pairs that
  sada puts in one cluster; precision = share of clustered pairs that are
  such pairs;
- 40 pairs of further documents share one sentence of 40-80 characters and
  nothing else: found = share of pairs that a statement of sada holds both
  documents of.

Runs target/release/sada (build it first) with default options and prints
one line per language.
"""

import argparse
import glob
import gzip
import json
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

SADA = os.path.join(ROOT, "target", "release", "sada")

SOURCES = {
    "zh": ["/usr/share/man/zh_CN/man*/*.gz", "/usr/share/vim/vim*/tutor/tutor.zh_cn.utf-8",
           "/usr/share/gnupg/help.zh_CN.txt"],
    "ja": ["/usr/share/man/ja/man*/*.gz", "/usr/share/vim/vim*/tutor/tutor.ja.utf-8",
           "/usr/share/gnupg/help.ja.txt"],
}


def cjk(c):
    o = ord(c)
    return 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF


def read(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    text = raw.decode("utf-8", "replace")
    if path.endswith(".gz"):
        lines = [l for l in text.splitlines() if not l.startswith((".", "'"))]
        text = "\n".join(lines)
        text = re.sub(r"\\f[BIRP]|\\f\(..|\\[-&|e]|\\\(..", "", text)
    return text


def sentences(lang):
    seen, out = set(), []
    for pattern in SOURCES[lang]:
        for path in sorted(glob.glob(pattern)):
            if os.path.islink(path):
                continue
            for s in re.split(r"(?<=[。！？])|\n\s*\n", read(path)):
                s = " ".join(s.split())
                if sum(map(cjk, s)) >= 12 and s not in seen:
                    seen.add(s)
                    out.append(s)
    return out


def build(lang, changes, rng):
    sents = sentences(lang)
    rng.shuffle(sents)
    vocab = sorted({c for s in sents for c in s if cjk(c)})
    long_ones = [s for s in sents if 40 <= len(s) <= 80]
    shared = long_ones[:40]
    rest = [s for s in sents if s not in set(shared)]
    docs, truth_pairs, statement_pairs = [], [], []
    i = 0
    # Statement pairs first: each side is filler sentences around one shared sentence.
    for k, sentence in enumerate(shared):
        sides = []
        for side in "ab":
            filler = []
            while sum(map(len, filler)) < 150 and i < len(rest):
                filler.append(rest[i])
                i += 1
            half = len(filler) // 2
            sides.append(f"{lang}-s{k}{side}")
            docs.append({"id": sides[-1], "source": f"site-{side}", "text": "".join(filler[:half] + [sentence] + filler[half:])})
        statement_pairs.append(tuple(sides))
    n = 0
    while i < len(rest):
        body = []
        while sum(map(len, body)) < 200 and i < len(rest):
            body.append(rest[i])
            i += 1
        text = "".join(body)
        if sum(map(cjk, text)) < 150:
            continue
        chars = list(text)
        spots = [j for j, c in enumerate(chars) if cjk(c)]
        for j in rng.sample(spots, changes):
            chars[j] = rng.choice(vocab)
        a, b = f"{lang}-d{n}", f"{lang}-d{n}-copy"
        docs.append({"id": a, "source": "origin", "text": text})
        docs.append({"id": b, "source": "mirror", "text": "".join(chars)})
        truth_pairs.append((a, b))
        n += 1
    return docs, truth_pairs, statement_pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(SADA):
        sys.exit("cjk_eval.py: build sada first (cargo build --release)")
    for lang in SOURCES:
        rng = random.Random(a.seed)
        docs, truth, shared = build(lang, a.changes, rng)
        if not truth:
            print(f"{lang}: no text found in {SOURCES[lang]}")
            continue
        d = os.path.join(ROOT, "target", "cjk", lang)
        os.makedirs(d, exist_ok=True)
        corpus = os.path.join(d, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")
        out = os.path.join(d, "out")
        subprocess.run([SADA, "scan", "--quiet", "--out", out, corpus], check=True)
        cluster = {}
        for line in open(os.path.join(out, "documents.jsonl"), encoding="utf-8"):
            r = json.loads(line)
            if "cluster" in r:
                cluster[r["id"]] = r["cluster"]
        found = sum(1 for x, y in truth if x in cluster and cluster.get(x) == cluster.get(y))
        members = {}
        for doc, c in cluster.items():
            members.setdefault(c, []).append(doc)
        predicted = sum(len(m) * (len(m) - 1) // 2 for m in members.values())
        holders = []
        for line in open(os.path.join(out, "statements.jsonl"), encoding="utf-8"):
            s = json.loads(line)
            holders.append({o["doc"] for o in s["occurrences"]})
        stated = sum(1 for x, y in shared if any(x in h and y in h for h in holders))
        chars = sum(len(doc["text"]) for doc in docs)
        print(f"{lang}: {len(docs)} documents, {chars} characters; near-duplicates ({a.changes} characters changed): "
              f"recall {found / len(truth):.3f} ({found}/{len(truth)}), precision "
              f"{found / predicted if predicted else 1:.3f}; shared sentences found as statements "
              f"{stated}/{len(shared)}")


if __name__ == "__main__":
    main()
