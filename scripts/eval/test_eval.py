#!/usr/bin/env python3
"""Self-checks of the corpus generator and the two evaluators (no sada needed).

    python3 scripts/eval/test_eval.py   # prints 'N passed, M failed'; exit 1 on failure
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import SCRIPTS  # noqa: E402
from corpora import gen_corpus  # noqa: E402
from eval import eval_clusters, eval_passages  # noqa: E402
from eval.normalizer import normalize_tokens, shingles, jaccard  # noqa: E402

TESTS = []
HARAKAT = ''.join(chr(c) for c in range(0x064B, 0x0653))


def test(fn):
    TESTS.append(fn)
    return fn


def close(a, b, tol=1e-9):
    return a is not None and abs(a - b) <= tol


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def load(dirpath):
    corpus = {}
    with open(os.path.join(dirpath, 'corpus.jsonl'), encoding='utf-8') as f:
        for line in f:
            o = json.loads(line)
            corpus[o['id']] = o
    docs, quotes, boiler = eval_clusters.load_truth(os.path.join(dirpath, 'truth.jsonl'))
    return corpus, docs, quotes, boiler


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')


TMP = tempfile.mkdtemp(prefix='sada-test-eval-')
CORPORA = {}


def corpus(script, seed=5, originals=80, quotes=16):
    key = (script, seed, originals, quotes)
    if key not in CORPORA:
        d = os.path.join(TMP, f'{script}-{seed}-{originals}-{quotes}')
        import io
        import contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            gen_corpus.generate(d, script, originals, seed, quotes)
        CORPORA[key] = d
    return CORPORA[key]


# ---------------------------------------------------------------------------
# normalization
# ---------------------------------------------------------------------------

@test
def normalization_rules():
    a = 'قالَ وزيرُ الخارجيةِ الروسى: «إلى» آفاق أُسرة ٢٠٢١ ۳ ﻻ مسؤول رئيس ی ک'
    b = 'قال وزير الخارجيه الروسي "الي" افاق اسره 2021 3 لا مسوول رييس ي ك'
    assert normalize_tokens(a) == normalize_tokens(b), (normalize_tokens(a), normalize_tokens(b))
    # tatweel, zero-width non-joiner, NBSP, bidi marks
    assert normalize_tokens('تـــم\u200cنا\u00a0هنا\u200f') == ['تمنا', 'هنا']
    # separators: Arabic punctuation, quotes, underscore
    assert normalize_tokens('أ،ب؛ج؟د«ه»و“ز”ح_ط') == list('ابجدهوزحط')
    assert normalize_tokens('The Minister’s SAID') == ['the', 'minister', 's', 'said']


# ---------------------------------------------------------------------------
# generator
# ---------------------------------------------------------------------------

@test
def generator_deterministic():
    for script in ('arabic', 'latin'):
        a = corpus(script, seed=11, originals=40, quotes=8)
        b = os.path.join(TMP, f'again-{script}')
        import io
        import contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            gen_corpus.generate(b, script, 40, 11, 8)
        for f in ('corpus.jsonl', 'truth.jsonl'):
            assert sha(os.path.join(a, f)) == sha(os.path.join(b, f)), (script, f)
        c = corpus(script, seed=12, originals=40, quotes=8)
        assert sha(os.path.join(a, 'corpus.jsonl')) != sha(os.path.join(c, 'corpus.jsonl'))


@test
def generator_cli_runs():
    out = os.path.join(TMP, 'cli')
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'corpora', 'gen_corpus.py'), '--out', out,
                        '--script', 'latin', '--originals', '20', '--seed', '3', '--quotes', '4'],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count('\n') == 1 and 'docs' in r.stdout, r.stdout


@test
def generator_records_valid():
    for script in ('arabic', 'latin'):
        d = corpus(script)
        c, docs, quotes, boiler = load(d)
        assert set(c) == set(docs), 'truth and corpus ids differ'
        for did, o in c.items():
            assert set(o) >= {'id', 'text', 'source', 'url', 'date'}
            assert o['url'].startswith(f"https://{o['source']}/"), o['url']
            assert len(o['date']) == 10 and o['date'][4] == '-'
            assert docs[did]['kind'] in ('original', 'exact', 'edit', 'related')
        kinds = {t['kind'] for t in docs.values()}
        assert kinds == {'original', 'exact', 'edit', 'related'}, kinds
        n_orig = [len(normalize_tokens(c[i]['text'])) for i, t in docs.items() if t['kind'] == 'original']
        assert min(n_orig) >= 150 and sorted(n_orig)[len(n_orig) // 2] < 900, (min(n_orig), max(n_orig))
        assert quotes and all(len(q['occurrences']) >= 2 for q in quotes)


@test
def generator_exact_variants_fold_equal():
    for script in ('arabic', 'latin'):
        c, docs, _, _ = load(corpus(script))
        orig = {t['family']: i for i, t in docs.items() if t['kind'] == 'original'}
        n = 0
        for i, t in docs.items():
            if t['kind'] != 'exact':
                continue
            o = orig[t['family']]
            assert c[i]['text'] != c[o]['text'], 'exact variant has identical bytes'
            assert normalize_tokens(c[i]['text']) == normalize_tokens(c[o]['text'])
            assert c[i]['source'] != c[o]['source']
            n += 1
        assert n > 0


@test
def generator_edit_rates_and_related():
    for script in ('arabic', 'latin'):
        c, docs, _, _ = load(corpus(script))
        orig = {t['family']: i for i, t in docs.items() if t['kind'] == 'original'}
        for i, t in docs.items():
            if t['kind'] == 'edit':
                n = len(normalize_tokens(c[orig[t['family']]]['text']))
                assert abs(t['edit_rate'] - t['edit_target']) <= 0.006 + 2 / n, t
                j = jaccard(shingles(normalize_tokens(c[i]['text']), 5),
                            shingles(normalize_tokens(c[orig[t['family']]]['text']), 5))
                assert j > 0.5, (t, j)
            if t['kind'] == 'related':
                j = jaccard(shingles(normalize_tokens(c[i]['text']), 5),
                            shingles(normalize_tokens(c[t['related_to']]['text']), 5))
                assert j < 0.3, j
                assert t['family'] != docs[t['related_to']]['family']


@test
def generator_quote_offsets():
    for script in ('arabic', 'latin'):
        c, docs, quotes, boiler = load(corpus(script))
        for q in quotes + boiler:
            toks = []
            for o in q['occurrences']:
                raw = c[o['doc']]['text'].encode('utf-8')
                assert 0 <= o['start'] < o['end'] <= len(raw)
                s = raw[o['start']:o['end']].decode('utf-8')  # strict: on char boundaries
                before = raw[:o['start']].decode('utf-8')
                after = raw[o['end']:].decode('utf-8')
                # starts at a letter, ends after a letter (or a haraka on it), on word edges
                assert s[0].isalnum() and s.rstrip(HARAKAT)[-1].isalnum(), repr(s)
                assert not before or not normalize_tokens(before[-1]), repr(before[-3:])
                assert not after or not normalize_tokens(after[0]), repr(after[:3])
                toks.append(normalize_tokens(s))
            if 'quote' in q:
                src = toks[0]
                assert q['occurrences'][0]['doc'] == q['source_doc']
                if script == 'arabic':
                    assert len(src) == q['words'], (len(src), q['words'])
                if q['change_target'] == 0:
                    assert all(t == src for t in toks), q['quote']
                else:
                    for t in toks:
                        assert abs(len(t) - len(src)) <= math.ceil(q['change_target'] * q['words']) + 1
            else:
                assert all(t == toks[0] for t in toks)


@test
def generator_quote_lengths_cover_buckets():
    _, _, quotes, _ = load(corpus('arabic', seed=9, originals=150, quotes=60))
    planted = [q for q in quotes if q['origin'] == 'planted']
    assert len(planted) == 60
    b = {eval_passages.length_bucket(q['words']) for q in planted}
    assert {'12-40', '41-120', '200+'} <= b, b
    assert {q['change_target'] for q in planted} == {0.0, 0.05, 0.1}


# ---------------------------------------------------------------------------
# eval_clusters on fake sada output
# ---------------------------------------------------------------------------

def fake_docs_out(name, docs, cluster_of):
    d = os.path.join(TMP, 'out-' + name)
    os.makedirs(d, exist_ok=True)
    rows = []
    for i in docs:
        r = {'id': i, 'status': 'ok'}
        if cluster_of(i) is not None:
            r['cluster'] = cluster_of(i)
        rows.append(r)
    write_jsonl(os.path.join(d, 'documents.jsonl'), rows)
    return d


def cl_eval(cdir, out):
    return eval_clusters.evaluate(os.path.join(cdir, 'truth.jsonl'),
                                  os.path.join(cdir, 'corpus.jsonl'), out)


@test
def clusters_perfect():
    cdir = corpus('arabic')
    _, docs, _, _ = load(cdir)
    fams = {}
    for i, t in docs.items():
        fams.setdefault(t['family'], []).append(i)
    fid = {f: k for k, f in enumerate(sorted(fams))}
    out = fake_docs_out('perfect', docs, lambda i: fid[docs[i]['family']]
                        if len(fams[docs[i]['family']]) > 1 else None)
    r = cl_eval(cdir, out)
    assert r['precision'] == 1 and r['recall'] == 1 and r['f1'] == 1, r
    for k, v in r['kind_recall'].items():
        assert v['rate'] == (0.0 if k == 'related' else 1.0), (k, v)
    assert r['drift']['violations_cross_family'] == 0
    assert r['missing'] == 0 and r['unknown'] == 0


@test
def clusters_all_in_one():
    cdir = corpus('arabic')
    _, docs, _, _ = load(cdir)
    out = fake_docs_out('one', docs, lambda i: 7)
    r = cl_eval(cdir, out)
    assert r['recall'] == 1 and r['precision'] < 0.05, r['precision']
    assert r['kind_recall']['related']['rate'] == 1.0
    d = r['drift']
    assert d['pairs_checked'] == 2000, d  # sampled
    assert d['violations_cross_family'] > 1500, d
    r2 = cl_eval(cdir, out)
    assert r2['drift'] == d, 'drift sampling not deterministic'


@test
def clusters_none():
    cdir = corpus('latin')
    _, docs, _, _ = load(cdir)
    out = fake_docs_out('none', docs, lambda i: None)
    r = cl_eval(cdir, out)
    assert r['recall'] == 0 and r['precision'] is None and r['f1'] == 0
    assert r['clusters'] == 0 and r['drift']['pairs_checked'] == 0


@test
def clusters_partial_numbers():
    # hand-made truth: family A = {a1,a2,a3}, B = {b1,b2}, C = {c1}
    d = os.path.join(TMP, 'hand-clusters')
    os.makedirs(d, exist_ok=True)
    text = ' '.join(f'w{i}' for i in range(40))
    other = ' '.join(f'v{i}' for i in range(40))
    truth = [{'id': 'a1', 'family': 'A', 'kind': 'original', 'edit_rate': 0},
             {'id': 'a2', 'family': 'A', 'kind': 'exact', 'edit_rate': 0},
             {'id': 'a3', 'family': 'A', 'kind': 'edit', 'edit_rate': 0.03, 'edit_target': 0.03},
             {'id': 'b1', 'family': 'B', 'kind': 'original', 'edit_rate': 0},
             {'id': 'b2', 'family': 'B', 'kind': 'edit', 'edit_rate': 0.05, 'edit_target': 0.05},
             {'id': 'c1', 'family': 'C', 'kind': 'related', 'edit_rate': 0, 'related_to': 'a1'}]
    write_jsonl(os.path.join(d, 'truth.jsonl'), truth)
    write_jsonl(os.path.join(d, 'corpus.jsonl'),
                [{'id': t['id'], 'text': other if t['id'] == 'c1' else text} for t in truth])
    # predicted: {a1,a2,c1} {a3} {b1,b2}
    out = fake_docs_out('hand', [t['id'] for t in truth],
                        lambda i: {'a1': 1, 'a2': 1, 'c1': 1, 'b1': 2, 'b2': 2}.get(i))
    r = cl_eval(d, out)
    # predicted pairs 3 + 1 = 4; true pairs 3 + 1 = 4; correct: (a1,a2), (b1,b2) = 2
    assert r['pred_pairs'] == 4 and r['true_pairs'] == 4 and r['tp_pairs'] == 2
    assert close(r['precision'], 0.5) and close(r['recall'], 0.5) and close(r['f1'], 0.5)
    kr = r['kind_recall']
    assert kr['exact']['rate'] == 1 and kr['edit@3%']['rate'] == 0 and kr['edit@5%']['rate'] == 1
    assert kr['related']['rate'] == 1
    # c1 shares no 5-gram with a1/a2: two cross-family violations, J = 0
    assert r['drift']['violations'] == 2 and r['drift']['violations_cross_family'] == 2
    assert r['drift']['min_jaccard'] == 0


# ---------------------------------------------------------------------------
# eval_passages on fake sada output
# ---------------------------------------------------------------------------

def fake_statements(name, rows):
    d = os.path.join(TMP, 'out-' + name)
    os.makedirs(d, exist_ok=True)
    write_jsonl(os.path.join(d, 'statements.jsonl'), rows)
    return d


def pa_eval(cdir, out, **kw):
    return eval_passages.evaluate(os.path.join(cdir, 'truth.jsonl'), out, **kw)


def perfect_statements(quotes, split=False):
    rows = []
    for q in quotes:
        if not split:
            rows.append({'statement': len(rows), 'boilerplate': False,
                         'occurrences': [dict(o) for o in q['occurrences']]})
        else:
            for half in (0, 1):
                occ = []
                for o in q['occurrences']:
                    m = (o['start'] + o['end']) // 2
                    occ.append({'doc': o['doc'], 'start': o['start'] if half == 0 else m,
                                'end': m if half == 0 else o['end']})
                rows.append({'statement': len(rows), 'boilerplate': False, 'occurrences': occ})
    return rows


@test
def passages_perfect():
    for script in ('arabic', 'latin'):
        cdir = corpus(script)
        _, _, quotes, _ = load(cdir)
        r = pa_eval(cdir, fake_statements('pp-' + script, perfect_statements(quotes)))
        assert close(r['precision'], 1) and close(r['recall'], 1), r
        assert close(r['granularity'], 1) and close(r['plagdet'], 1), r
        assert r['false_detections'] == 0 and r['cases_counted'] > 0
        assert r['cases'] >= r['cases_counted']
        for g in r['buckets'].values():
            for v in g.values():
                assert close(v['recall'], 1), g


@test
def passages_split_in_two():
    cdir = corpus('arabic')
    _, _, quotes, _ = load(cdir)
    r = pa_eval(cdir, fake_statements('split', perfect_statements(quotes, split=True)))
    assert close(r['precision'], 1) and close(r['recall'], 1), r
    assert close(r['granularity'], 2), r['granularity']
    assert close(r['plagdet'], 1 / math.log2(3)), r['plagdet']


@test
def passages_boilerplate_and_noise():
    cdir = corpus('arabic')
    c, docs, quotes, boiler = load(cdir)
    rows = perfect_statements(quotes)
    # a flagged boilerplate statement is ignored
    b = boiler[0]
    rows.append({'statement': len(rows), 'boilerplate': True, 'occurrences': b['occurrences']})
    r = pa_eval(cdir, fake_statements('bp-flag', rows))
    assert close(r['precision'], 1) and r['boilerplate_passages_flagged'] == 1
    # unflagged, the same statement is a set of false detections
    rows[-1] = dict(rows[-1], boilerplate=False)
    r2 = pa_eval(cdir, fake_statements('bp-noflag', rows))
    assert r2['precision'] < 1 and r2['false_detections_in_boilerplate'] > 0
    assert close(r2['recall'], 1)
    # everything missing -> recall 0, precision undefined
    r3 = pa_eval(cdir, fake_statements('empty', []))
    assert r3['recall'] == 0 and r3['precision'] is None and r3['plagdet'] == 0


@test
def passages_min_words():
    cdir = corpus('latin')
    _, _, quotes, _ = load(cdir)
    # drop every statement of a short passage: recall unchanged, as those cases do not count
    long_q = [q for q in quotes if q['words'] >= 20]
    assert len(long_q) < len(quotes), 'corpus has no short passage to test with'
    r = pa_eval(cdir, fake_statements('long', perfect_statements(long_q)), min_words=20)
    assert close(r['recall'], 1) and close(r['precision'], 1)
    r2 = pa_eval(cdir, fake_statements('long', perfect_statements(long_q)), min_words=1000)
    assert r2['cases_counted'] == 0 and r2['recall'] is None


@test
def passages_hand_numbers():
    d = os.path.join(TMP, 'hand-passages')
    os.makedirs(d, exist_ok=True)
    truth = [{'id': 'A', 'family': 'fa', 'kind': 'original'},
             {'id': 'B', 'family': 'fb', 'kind': 'original'},
             {'id': 'C', 'family': 'fc', 'kind': 'original'},
             {'id': 'A2', 'family': 'fa', 'kind': 'exact'},
             {'quote': 0, 'words': 20, 'change_rate': 0, 'occurrences': [
                 {'doc': 'A', 'start': 0, 'end': 100}, {'doc': 'B', 'start': 50, 'end': 150},
                 {'doc': 'A2', 'start': 10, 'end': 110}]},
             {'quote': 1, 'words': 5, 'change_rate': 0, 'occurrences': [
                 {'doc': 'A', 'start': 200, 'end': 220}, {'doc': 'C', 'start': 0, 'end': 20}]}]
    write_jsonl(os.path.join(d, 'truth.jsonl'), truth)
    st = [
        # half of case (A,B) of quote 0: precision 1
        {'statement': 0, 'boilerplate': False, 'occurrences': [
            {'doc': 'B', 'start': 50, 'end': 100}, {'doc': 'A', 'start': 0, 'end': 50}]},
        # the short quote 1 (not counted for recall, but a true detection): precision 1
        {'statement': 1, 'boilerplate': False, 'occurrences': [
            {'doc': 'A', 'start': 200, 'end': 220}, {'doc': 'C', 'start': 0, 'end': 20}]},
        # chance match: precision 0
        {'statement': 2, 'boilerplate': False, 'occurrences': [
            {'doc': 'A', 'start': 300, 'end': 400}, {'doc': 'C', 'start': 100, 'end': 200}]},
        # overlaps case (A,B) on one side only: not a detection of it, precision 0
        {'statement': 3, 'boilerplate': False, 'occurrences': [
            {'doc': 'A', 'start': 0, 'end': 100}, {'doc': 'B', 'start': 500, 'end': 600}]},
        # same family pair (A, A2) is left out
        {'statement': 4, 'boilerplate': False, 'occurrences': [
            {'doc': 'A', 'start': 0, 'end': 1000}, {'doc': 'A2', 'start': 0, 'end': 1000}]},
    ]
    out = fake_statements('hand', st)
    r = pa_eval(d, out)
    # cases counted: (A,B) and (A2,B) of quote 0 (A,A2 same family); quote 1 too short
    assert r['cases'] == 3 and r['cases_counted'] == 2, r
    assert r['detections'] == 4 and r['detection_pairs_same_family_skipped'] == 1
    assert close(r['precision'], 0.5), r['precision']            # (1 + 1 + 0 + 0) / 4
    assert close(r['recall'], 0.25), r['recall']                 # (100/200 + 0) / 2
    assert close(r['granularity'], 1)
    f1 = 2 * 0.5 * 0.25 / 0.75
    assert close(r['f1'], f1) and close(r['plagdet'], f1)
    assert close(r['precision_micro'], 140 / 540), r['precision_micro']
    assert close(r['recall_micro'], 100 / 400)
    assert r['false_detections'] == 2
    # two detections of the same case (A,B): granularity 2
    st.append({'statement': 5, 'boilerplate': False, 'occurrences': [
        {'doc': 'A', 'start': 60, 'end': 100}, {'doc': 'B', 'start': 110, 'end': 150}]})
    r = pa_eval(d, fake_statements('hand2', st))
    assert close(r['granularity'], 2) and close(r['recall'], (180 / 200) / 2), r
    r = pa_eval(d, fake_statements('hand2', st), include_same_family=True)
    assert r['cases'] == 4 and r['detection_pairs_same_family_skipped'] == 0


@test
def cli_json_and_table():
    cdir = corpus('arabic')
    _, docs, quotes, _ = load(cdir)
    out = os.path.join(TMP, 'out-cli')
    os.makedirs(out, exist_ok=True)
    write_jsonl(os.path.join(out, 'statements.jsonl'), perfect_statements(quotes))
    write_jsonl(os.path.join(out, 'documents.jsonl'), [{'id': i, 'status': 'ok'} for i in docs])
    for script, extra in (('eval_clusters.py', ['--corpus', os.path.join(cdir, 'corpus.jsonl')]),
                          ('eval_passages.py', [])):
        base = [sys.executable, os.path.join(SCRIPTS, 'eval', script), '--truth',
                os.path.join(cdir, 'truth.jsonl'), '--out', out] + extra
        r = subprocess.run(base + ['--json'], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        json.loads(r.stdout)
        assert r.stdout.count('\n') == 1
        r = subprocess.run(base, capture_output=True, text=True)
        assert r.returncode == 0 and 'precision' in r.stdout, r.stderr


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
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
