#!/usr/bin/env python3
"""Self-checks of check_statements.py (statement coherence) and gen_adversarial.py
(adversarial corpora); no sada needed.

    python3 scripts/eval/test_check_statements.py   # prints 'N passed, M failed'; exit 1 on failure
"""
import contextlib
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import SCRIPTS  # noqa: E402
from corpora import gen_adversarial as ga  # noqa: E402
from eval import check_statements as cs  # noqa: E402
from eval import eval_clusters  # noqa: E402
from eval.normalizer import normalize_tokens  # noqa: E402

TESTS = []
TMP = tempfile.mkdtemp(prefix='sada-test-check-')
JSON_KEYS = ('statements', 'occurrences', 'boilerplate', 'largest_docs', 'largest_occurrences',
             'pairs', 'cross_doc_pairs', 'coherence', 'coherence_cross_doc',
             'coherence_mean_statement', 'coherence_non_boilerplate', 'granularity', 'seconds')


def test(fn):
    TESTS.append(fn)
    return fn


def close(a, b, tol=1e-9):
    return a is not None and abs(a - b) <= tol


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')


def run(script, *args):
    """Runs scripts/SCRIPT (e.g. 'eval/check_statements.py') with ARGS."""
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, script), *map(str, args)],
                          capture_output=True, text=True)


# ---------------------------------------------------------------------------
# hand-written corpora
# ---------------------------------------------------------------------------

RNG = random.Random(7)
LETTERS = 'abcdefghijklmnopqrstuvwxyz'


def words(n, rng=RNG):
    """n distinct-looking random words (7 letters: no chance collisions)."""
    return [''.join(rng.choice(LETTERS) for _ in range(7)) for _ in range(n)]


class Corpus:
    """A JSONL corpus built from pieces; remembers the byte span of each named piece."""

    def __init__(self, name):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        self.docs = {}
        self.spans = {}

    def doc(self, did, *pieces):
        """pieces: word lists or (name, word list); joined by spaces."""
        text, pos = [], 0
        for p in pieces:
            name, ws = p if isinstance(p, tuple) else (None, p)
            s = ' '.join(ws)
            if text:
                text.append(' ')
                pos += 1
            if name:
                self.spans[(did, name)] = (pos, pos + len(s.encode()))
            text.append(s)
            pos += len(s.encode())
        self.docs[did] = ''.join(text)

    def occ(self, did, name):
        s, e = self.spans[(did, name)]
        return {'doc': did, 'start': s, 'end': e}

    def write(self, statements):
        write_jsonl(os.path.join(self.dir, 'corpus.jsonl'),
                    [{'id': k, 'text': v} for k, v in self.docs.items()])
        out = os.path.join(self.dir, 'out')
        os.makedirs(out, exist_ok=True)
        rows = []
        for k, (occs, boiler) in enumerate(statements):
            rows.append({'statement': k, 'boilerplate': boiler, 'occurrences': occs})
        write_jsonl(os.path.join(out, 'statements.jsonl'), rows)
        return out, os.path.join(self.dir, 'corpus.jsonl')


def chained_corpus():
    """A shares p1 with B, B shares p2 with C; D shares p3 with A and E (coherent)."""
    c = Corpus('chained')
    p1, p2, p3 = words(20), words(20), words(25)
    c.doc('A', words(30), ('p1', p1), words(30), ('p3', p3), words(10))
    c.doc('B', words(15), ('p1', p1), ('p2', p2), words(15))
    c.doc('C', words(40), ('p2', p2), words(5))
    c.doc('D', ('p3', p3), words(50))
    c.doc('E', words(3), ('p3', p3))
    chain = [c.occ('A', 'p1'), c.occ('B', 'p1'), c.occ('B', 'p2'), c.occ('C', 'p2')]
    chain[1] = {'doc': 'B', 'start': chain[1]['start'], 'end': chain[2]['end']}
    del chain[2]
    coherent = [c.occ('A', 'p3'), c.occ('D', 'p3'), c.occ('E', 'p3')]
    return c, chain, coherent


def check(out, inputs, **kw):
    return cs.check(out, inputs if isinstance(inputs, list) else [inputs], **kw)


# ---------------------------------------------------------------------------
# folding and alignment
# ---------------------------------------------------------------------------

@test
def fold_rules():
    a = 'قالَ وزيرُ الخارجيـــةِ: «إلى» آفاق أُسرة ٱلكتاب مستشفى ﻻ'
    b = 'قال وزير الخارجيه "الي" افاق اسره الكتاب مستشفي لا'
    assert cs.fold_words(a) == cs.fold_words(b), (cs.fold_words(a), cs.fold_words(b))
    assert cs.fold_words('The MINISTER’s, «Straße»!') == ['the', 'minister', 's', 'strasse']
    assert cs.fold_words('a_b-c.d') == ['a', 'b', 'c', 'd']


@test
def align_identical_and_short():
    w = words(12)
    assert cs.aligns(w, list(w))
    assert not cs.aligns(w[:7], w[:7])  # fewer than min_words
    assert cs.aligns(w[:8], w[:8])


@test
def align_paraphrase_one_in_ten():
    p = words(100)
    q = list(p)
    for i in range(5, 100, 10):
        q[i] = 'changed' + str(i)
    a = words(40) + p + words(40)
    b = words(10) + q + words(70)
    assert cs.aligns(a, b)
    # one in three changed: no exact run of 8, still identity 2/3 with gaps of one word
    r = list(p)
    for i in range(2, 100, 3):
        r[i] = 'other' + str(i)
    assert cs.aligns(a, words(5) + r)


@test
def align_five_shared_words_do_not():
    shared = words(5)
    a = words(20) + shared + words(20)
    b = words(7) + shared + words(30)
    assert not cs.aligns(a, b)
    # scattered five too
    a2, b2 = words(40), words(40)
    for k, i in enumerate((3, 11, 19, 27, 35)):
        a2[i] = b2[i + 2] = shared[k]
    assert not cs.aligns(a2, b2)


@test
def align_gaps_and_identity():
    x, y = words(4), words(4)
    for gap, expect in ((2, True), (8, False), (10, False)):
        a = words(5) + x + words(gap) + y + words(5)
        b = words(6) + x + words(gap) + y + words(3)
        # region 8 + gap words on each side, 8 matched
        assert cs.aligns(a, b) is expect, (gap, expect)
    # identity is against the longer side: 8 words vs 8 + k inserted words
    p = words(8)
    for k, expect in ((3, True), (6, False)):
        b = p[:4] + words(k) + p[4:]
        assert cs.aligns(words(9) + p + words(9), words(4) + b) is expect, (k, expect)
    # a stricter identity or a smaller gap turns the first case down
    a, b = words(3) + x + words(2) + y, words(1) + x + words(3) + y  # 8 of 10 and 11
    assert cs.aligns(a, b)
    assert not cs.aligns(a, b, min_identity=0.8)
    assert not cs.aligns(words(3) + x + words(2) + y, words(1) + x + words(2) + y, max_gap=1)


@test
def region_search_matches_brute_force():
    rng = random.Random(5)

    def brute(ch, mw, mi):
        for i in range(len(ch)):
            for j in range(i, len(ch)):
                m = sum(s for _, _, s in ch[i:j + 1])
                la = ch[j][0] + ch[j][2] - ch[i][0]
                lb = ch[j][1] + ch[j][2] - ch[i][1]
                if min(la, lb) >= mw and m >= mi * max(la, lb) - 1e-9:
                    return True
        return False

    for trial in range(3000):
        ch, a, b = [], rng.randint(0, 5), rng.randint(0, 5)
        for _ in range(rng.randint(1, 9)):
            s = rng.randint(1, 5)
            ch.append((a, b, s))
            a += s + rng.randint(0, 8)
            b += s + rng.randint(0, 8)
        mw, mi = rng.choice((4, 8, 12)), rng.choice((0.5, 0.6, 0.75, 0.9))
        assert cs._chain_has_region(ch, mw, mi) == brute(ch, mw, mi), (ch, mw, mi)


@test
def align_fast_on_long_occurrences():
    p = words(40)
    a, b = [], []
    for _ in range(60):
        a += p + words(RNG.randint(0, 20))
        b += words(RNG.randint(0, 20)) + p
    t = time.time()
    assert cs.aligns(a, b)
    assert not cs.aligns(words(3000), words(3000))
    assert time.time() - t < 5, time.time() - t


# ---------------------------------------------------------------------------
# the checker on hand-written statements
# ---------------------------------------------------------------------------

@test
def coherent_statement_is_one():
    c, _, coherent = chained_corpus()
    out, corpus = c.write([(coherent, False)])
    r = check(out, corpus)
    assert r['coherence_cross_doc'] == 1.0 and r['coherence'] == 1.0, r
    assert r['pairs'] == 3 and r['cross_doc_pairs'] == 3 and r['pairs_checked'] == 3
    assert r['largest_docs'] == 3 and r['incoherent_statements'] == 0
    assert r['granularity'] is None


@test
def chained_statement_fails_a_c():
    c, chain, coherent = chained_corpus()
    out, corpus = c.write([(chain, False), (coherent, True)])
    r = check(out, corpus)
    # chain: A-B ok, B-C ok, A-C fails; coherent: 3 pairs ok
    assert close(r['coherence_cross_doc'], 5 / 6), r['coherence_cross_doc']
    assert close(r['coherence_non_boilerplate'], 2 / 3), r['coherence_non_boilerplate']
    assert r['coherence_boilerplate'] == 1.0
    assert close(r['coherence_mean_statement'], (2 / 3 + 1) / 2)
    assert r['incoherent_statements'] == 1 and r['worst_statements'][0]['statement'] == 0
    assert r['boilerplate'] == 1 and r['statements'] == 2 and r['occurrences'] == 6
    wa = cs.fold_words(c.docs['A'].encode()[chain[0]['start']:chain[0]['end']].decode())
    wc = cs.fold_words(c.docs['C'].encode()[chain[2]['start']:chain[2]['end']].decode())
    assert not cs.aligns(wa, wc)


@test
def same_document_pairs_and_overlaps():
    c = Corpus('samedoc')
    p = words(20)
    c.doc('A', ('a1', p), words(10), ('a2', p), words(10))
    c.doc('B', ('b1', p), words(30))
    occ = [c.occ('A', 'a1'), c.occ('A', 'a2'), c.occ('B', 'b1')]
    over = dict(c.occ('A', 'a1'))
    over['end'] += 5  # overlaps a1 (same statement) and nothing else
    out, corpus = c.write([(occ, False), ([over, c.occ('B', 'b1')], False)])
    r = check(out, corpus)
    assert r['pairs'] == 4 and r['cross_doc_pairs'] == 3 and r['same_doc_pairs'] == 1, r
    assert r['coherence_same_doc'] == 1.0 and r['coherence'] == 1.0
    assert r['same_doc_overlaps'] == 0
    assert r['cross_statement_overlaps'] == 2  # `over` against a1, b1 against b1
    out2, _ = c.write([(occ + [over], False)])
    assert check(out2, corpus)['same_doc_overlaps'] == 1


@test
def empty_statements_do_not_crash():
    c = Corpus('empty')
    c.doc('A', words(10))
    out, corpus = c.write([])
    r = check(out, corpus)
    assert r['statements'] == 0 and r['pairs'] == 0 and r['largest_docs'] == 0
    assert r['coherence'] is None and r['coherence_cross_doc'] is None
    assert r['coherence_mean_statement'] is None
    with contextlib.redirect_stdout(io.StringIO()):
        cs.print_table(r)
    p = run('eval/check_statements.py', '--out', out, '--json', corpus)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)['coherence'] is None


@test
def unknown_documents_left_out():
    c, _, coherent = chained_corpus()
    occ = coherent + [{'doc': 'nowhere', 'start': 0, 'end': 50}]
    out, corpus = c.write([(occ, False)])
    r = check(out, corpus)
    assert r['unknown_docs'] == 1 and r['pairs_unknown_doc'] == 3, r
    assert r['coherence_cross_doc'] == 1.0 and r['pairs'] == 6


def many_occurrences(n_good=12, n_bad=12):
    """One statement: n_good occurrences of passage p, n_bad of unrelated passages."""
    c = Corpus(f'many-{n_good}-{n_bad}')
    p = words(20)
    occ = []
    for i in range(n_good):
        c.doc(f'g{i}', words(5), ('p', p), words(5))
        occ.append(c.occ(f'g{i}', 'p'))
    for i in range(n_bad):
        c.doc(f'b{i}', words(5), ('p', words(20)), words(5))
        occ.append(c.occ(f'b{i}', 'p'))
    return c, occ


@test
def sampling_deterministic_and_unbiased():
    c, occ = many_occurrences()
    out, corpus = c.write([(occ, False)])
    exact = check(out, corpus, pairs=10 ** 6)
    n = 24
    assert exact['pairs_checked'] == n * (n - 1) // 2
    assert close(exact['coherence_cross_doc'], 66 / 276)
    a = check(out, corpus, pairs=40, seed=3)
    b = check(out, corpus, pairs=40, seed=3)
    assert a['pairs_checked'] == 40
    for k in a:
        if k != 'seconds':
            assert a[k] == b[k], k
    ests = [check(out, corpus, pairs=40, seed=s)['coherence_cross_doc'] for s in range(40)]
    mean = sum(ests) / len(ests)
    assert abs(mean - 66 / 276) < 0.03, mean
    assert len(set(ests)) > 1  # seeds do change the sample
    p1 = run('eval/check_statements.py', '--out', out, '--pairs', 40, '--json', corpus)
    p2 = run('eval/check_statements.py', '--out', out, '--pairs', 40, '--json', corpus)
    j1, j2 = json.loads(p1.stdout), json.loads(p2.stdout)
    j1.pop('seconds'), j2.pop('seconds')
    assert j1 == j2


@test
def pair_plan_strata():
    rng = random.Random(1)
    docs = ['a'] * 30 + ['b'] * 5 + ['c'] * 40 + ['d']
    n = len(docs)
    same_total = 435 + 10 + 780
    cross_total, st, cross, same = cs.pair_plan(docs, 100, rng)
    assert st == same_total and cross_total == n * (n - 1) // 2 - same_total
    assert len(cross) == 50 and len(same) == 50
    assert len(set(cross)) == 50 and len(set(same)) == 50
    assert all(docs[x] != docs[y] for x, y in cross)
    assert all(docs[x] == docs[y] and x != y for x, y in same)
    # small statements: every pair, once
    ct, st2, cross, same = cs.pair_plan(['a', 'a', 'b'], 100, rng)
    assert (ct, st2) == (2, 1) and sorted(cross) == [(0, 2), (1, 2)] and same == [(0, 1)]
    # few same-document pairs: the budget goes to the other stratum
    ct, st2, cross, same = cs.pair_plan(['a', 'a'] + [str(i) for i in range(40)], 60, rng)
    assert st2 == 1 and len(same) == 1 and len(cross) == 59


@test
def inputs_dirs_ids_and_gzip():
    d = os.path.join(TMP, 'inputs')
    os.makedirs(os.path.join(d, 'sub', '.hidden'), exist_ok=True)
    p = words(12)
    text = ' '.join(words(3) + p)
    with open(os.path.join(d, 'sub', 'note.txt'), 'w', encoding='utf-8') as f:
        f.write(text)
    with open(os.path.join(d, 'sub', '.hidden', 'note2.txt'), 'w', encoding='utf-8') as f:
        f.write(text)
    with open(os.path.join(d, 'sub', 'skip.csv'), 'w') as f:
        f.write('x')
    rows = ['{"id": 17, "text": "' + text + '"}', '', '{"text": "' + text + '"}',
            'not json', '{"id": "", "text": "' + text + '"}']
    with gzip.open(os.path.join(d, 'b.jsonl.gz'), 'wt', encoding='utf-8') as f:
        f.write('\n'.join(rows) + '\n')
    s = len(' '.join(text.split()[:3])) + 1  # the start of p (ASCII)
    e = len(text.encode())
    gz = os.path.join(d, 'b.jsonl.gz')
    ids = ['note', '17', f'{gz}:3', f'{gz}:5', 'note2']
    out = os.path.join(TMP, 'inputs-out')
    os.makedirs(out, exist_ok=True)
    write_jsonl(os.path.join(out, 'statements.jsonl'),
                [{'statement': 0, 'boilerplate': False,
                  'occurrences': [{'doc': i, 'start': s, 'end': e} for i in ids]}])
    r = cs.check(out, [d])
    assert r['unknown_docs'] == 1, r  # note2 is hidden
    assert r['coherence_cross_doc'] == 1.0 and r['pairs_unknown_doc'] == 4
    files = [x[0] for x in cs.input_files([d])]
    assert files == [gz, os.path.join(d, 'sub', 'note.txt')], files


@test
def cli_json_table_and_usage_errors():
    c, chain, coherent = chained_corpus()
    out, corpus = c.write([(chain, False), (coherent, False)])
    p = run('eval/check_statements.py', '--out', out, '--json', corpus)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count('\n') == 1
    j = json.loads(p.stdout)
    for k in JSON_KEYS:
        assert k in j, k
    p = run('eval/check_statements.py', '--out', out, corpus)
    assert p.returncode == 0 and 'coherence cross-doc' in p.stdout, p.stderr
    missing = os.path.join(TMP, 'does-not-exist')
    csv = os.path.join(TMP, 'table.csv')
    with open(csv, 'w') as f:
        f.write('a,b\n')
    for args in (['--out', missing, corpus], ['--out', out, missing],
                 ['--out', out, '--truth', missing, corpus], ['--out', c.dir, corpus],
                 ['--out', out], ['--out', out, '--min-identity', '1.5', corpus],
                 ['--out', out, csv]):
        p = run('eval/check_statements.py', *args)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stderr.strip(), args
        assert 'Traceback' not in p.stderr, p.stderr


# ---------------------------------------------------------------------------
# generator
# ---------------------------------------------------------------------------

GEN = {}


def gen(kind, scale=1, seed=1, script='arabic'):
    key = (kind, scale, seed, script)
    if key not in GEN:
        d = os.path.join(TMP, f'adv-{kind}-{scale}-{seed}-{script}')
        t = time.time()
        s = ga.generate(d, kind, scale, seed, script, quiet=True)
        s['elapsed'] = time.time() - t
        GEN[key] = (d, s)
    return GEN[key]


def load(d):
    corpus = {}
    with open(os.path.join(d, 'corpus.jsonl'), encoding='utf-8') as f:
        for line in f:
            o = json.loads(line)
            corpus[o['id']] = o
    docs, quotes, boiler = eval_clusters.load_truth(os.path.join(d, 'truth.jsonl'))
    return corpus, docs, quotes, boiler


@test
def generator_every_kind_quick():
    for kind in ga.KINDS:
        d, s = gen(kind)
        assert s['elapsed'] < 15, (kind, s['elapsed'])
        corpus, docs, quotes, _ = load(d)
        assert len(corpus) == len(docs) == s['docs'] and quotes, kind
        for o in corpus.values():
            assert set(o) >= {'id', 'text', 'source'}, o


@test
def generator_deterministic():
    for kind in ('chain', 'repeat'):
        a, _ = gen(kind)
        b = os.path.join(TMP, f'again-{kind}')
        ga.generate(b, kind, 1, 1, 'arabic', quiet=True)
        for f in ('corpus.jsonl', 'truth.jsonl'):
            assert sha(os.path.join(a, f)) == sha(os.path.join(b, f)), (kind, f)
        c, _ = gen(kind, seed=2)
        assert sha(os.path.join(a, 'corpus.jsonl')) != sha(os.path.join(c, 'corpus.jsonl'))


@test
def generator_truth_offsets():
    for kind in ga.KINDS + ('latin-chain',):
        d, _ = gen('chain', script='latin') if kind == 'latin-chain' else gen(kind)
        corpus, _, quotes, boiler = load(d)
        for q in quotes + boiler:
            seen = set()
            for o in q['occurrences']:
                b = corpus[o['doc']]['text'].encode()
                span = b[o['start']:o['end']].decode()  # on character boundaries
                assert span[0].isalnum() and span[-1].isalnum(), (kind, span[:20], span[-20:])
                toks = normalize_tokens(span)
                if 'quote' in q or q.get('kind') != 'formula':
                    assert len(toks) == q['words'], (kind, len(toks), q['words'])
                else:
                    assert len(toks) >= q['words']
                seen.add(' '.join(toks) if q.get('kind') != 'formula' else '')
            assert len(seen) == 1, (kind, 'copies differ')
            assert len(q['occurrences']) >= 2


@test
def generator_structure():
    d, _ = gen('chain')
    corpus, docs, quotes, _ = load(d)
    assert len(quotes) == len(docs) - 1
    for q in quotes:
        a, b = sorted(int(o['doc'].split('-')[1]) for o in q['occurrences'])
        assert b == a + 1 and len(q['occurrences']) == 2 and q['words'] == 30
    # D_i and D_i+2 share nothing (own text is own)
    fw = {k: cs.fold_words(v['text']) for k, v in corpus.items()}
    ids = sorted(fw)
    for i in range(0, len(ids) - 2, 7):
        assert not cs.aligns(fw[ids[i]], fw[ids[i + 2]]), (ids[i], ids[i + 2])
        assert cs.aligns(fw[ids[i]], fw[ids[i + 1]])
    d, _ = gen('sliding')
    corpus, docs, quotes, _ = load(d)
    assert sorted({q['words'] for q in quotes}) == [10, 20]
    fw = {k: cs.fold_words(v['text']) for k, v in corpus.items()}
    ids = sorted(fw)
    for i in range(0, len(ids) - 3, 11):
        assert not cs.aligns(fw[ids[i]], fw[ids[i + 3]])
    d, _ = gen('repeat')
    corpus, docs, quotes, boiler = load(d)
    assert len(docs) == 64 and len(quotes) == 32
    assert all(len(q['occurrences']) == 2 and q['words'] == 25 for q in quotes)
    assert len(boiler) == 8 and all(len(b['occurrences']) == 50 * 8 for b in boiler)
    d, _ = gen('boilerplate')
    corpus, docs, quotes, boiler = load(d)
    assert len(docs) == 1000 and len(boiler) == 1 and len(boiler[0]['occurrences']) == 1000
    assert len({t['source'] for t in docs.values()}) == 20
    d, _ = gen('formulaic')
    corpus, docs, quotes, boiler = load(d)
    assert len(docs) == 2000 and all(2 <= len(q['occurrences']) <= 10 for q in quotes)
    assert all(25 <= q['words'] <= 60 for q in quotes)
    assert 25 <= len(boiler) <= 30


@test
def generator_scale_doubles():
    for kind in ('chain', 'sliding', 'repeat'):
        _, s1 = gen(kind)
        _, s2 = gen(kind, scale=2)
        assert s2['docs'] == 2 * s1['docs'], kind
        assert 1.7 < s2['words'] / s1['words'] < 2.3, (kind, s1['words'], s2['words'])


@test
def generator_cli_all_and_errors():
    out = os.path.join(TMP, 'cli-all')
    p = run('corpora/gen_adversarial.py', '--out', out, '--kind', 'all', '--script', 'latin',
            '--seed', 4)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count('\n') == len(ga.KINDS)
    for k in ga.KINDS:
        assert os.path.exists(os.path.join(out, k, 'truth.jsonl')), k
    with open(os.path.join(out, 'chain', 'corpus.jsonl'), encoding='utf-8') as f:
        text = json.loads(f.readline())['text']
    assert all(ch.isascii() for ch in text), text[:80]
    p = run('corpora/gen_adversarial.py', '--out', out, '--kind', 'nonsense')
    assert p.returncode == 2


@test
def checker_on_generated_truth():
    """Perfect statements (the truth's quotes) are coherent with granularity 1; one
    chained statement over the chain corpus is not."""
    d, _ = gen('chain')
    corpus, docs, quotes, _ = load(d)
    out = os.path.join(TMP, 'chain-perfect')
    os.makedirs(out, exist_ok=True)
    write_jsonl(os.path.join(out, 'statements.jsonl'),
                [{'statement': k, 'boilerplate': False, 'occurrences': q['occurrences']}
                 for k, q in enumerate(quotes)])
    cp = os.path.join(d, 'corpus.jsonl')
    r = cs.check(out, [cp], truth=os.path.join(d, 'truth.jsonl'))
    assert r['coherence_cross_doc'] == 1.0 and r['granularity'] == 1.0, r
    assert close(r['truth']['plagdet'], 1.0) and close(r['truth']['recall'], 1.0)
    out2 = os.path.join(TMP, 'chain-chained')
    os.makedirs(out2, exist_ok=True)
    allocc = [o for q in quotes for o in q['occurrences']]
    write_jsonl(os.path.join(out2, 'statements.jsonl'),
                [{'statement': 0, 'boilerplate': False, 'occurrences': allocc}])
    r = cs.check(out2, [cp], truth=os.path.join(d, 'truth.jsonl'))
    assert r['largest_docs'] == len(docs) and r['pairs_checked'] == 200
    assert r['coherence_cross_doc'] < 0.1, r['coherence_cross_doc']
    assert r['truth']['precision'] < 0.1


def main():
    passed = failed = 0
    for fn in TESTS:
        try:
            fn()
            passed += 1
            print(f'ok    {fn.__name__}')
        except Exception:
            failed += 1
            print(f'FAIL  {fn.__name__}')
            traceback.print_exc()
    print(f'{passed} passed, {failed} failed')
    if not failed:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
