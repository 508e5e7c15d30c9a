#!/usr/bin/env python3
"""Two corpora of random Arabic words that differ only in how word lengths vary, for
`cargo bench --bench shingle -- file/normalize`: the tokenizer's cost per word end.

    python3 scripts/corpora/gen_word_lengths.py
    SADA_BENCH_JSONL=$PWD/target/bench/words-fixed5.jsonl cargo bench --bench shingle -- file/normalize
    SADA_BENCH_JSONL=$PWD/target/bench/words-varlen.jsonl cargo bench --bench shingle -- file/normalize

Both have 1,000 lines of 430 words of letters U+0628-U+063A and U+0641-U+064A joined by single
spaces: every word has 5 letters in words-fixed5.jsonl, and 2-9 letters (mean 5.4) in
words-varlen.jsonl. A fixed seed makes them the same on every machine.
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

LETTERS = [chr(c) for c in range(0x0628, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
LENGTHS = [2, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 9]


def main():
    out_dir = os.path.join(ROOT, 'target', 'bench')
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(1)
    for name, length in (('words-fixed5', lambda: 5), ('words-varlen', lambda: rng.choice(LENGTHS))):
        path = os.path.join(out_dir, f'{name}.jsonl')
        with open(path, 'w', encoding='utf-8') as f:
            for i in range(1000):
                words = (''.join(rng.choice(LETTERS) for _ in range(length())) for _ in range(430))
                f.write(json.dumps({'id': i, 'text': ' '.join(words)}, ensure_ascii=False) + '\n')
        print(path)


if __name__ == '__main__':
    main()
