#!/usr/bin/env python3
"""Document-level quality of sada's near-duplicate clusters against a generated truth.

    python3 scripts/eval/eval_clusters.py --truth DIR/truth.jsonl --corpus DIR/corpus.jsonl \
        --out SADA_OUT_DIR [--json]

Reads SADA_OUT_DIR/documents.jsonl (one line per document: {"id", "status", "cluster"?}).
A document without "cluster" is a singleton.

Measures
  * pairwise precision / recall / F1: pairs of documents in one predicted cluster
    versus pairs of documents in one true family;
  * recall by kind: fraction of `exact` and `edit` (1%, 3%, 5%) variants that share a
    cluster with their family's original; for `related` documents (hard negatives) the
    fraction wrongly merged with the original they relate to (lower is better);
  * drift violations: pairs of documents in one predicted cluster whose true Jaccard
    similarity of normalized word 5-gram sets is < 0.5 (at most 2000 pairs per cluster,
    sampled deterministically).

Tokens and Jaccard come from the reference normalization of docs/architecture.md,
implemented independently of the Rust code in eval/normalizer.py.

Python 3.11 standard library only.
"""
import argparse
import json
import os
import random
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import fmt  # noqa: E402
from eval.normalizer import normalize_tokens, shingles, jaccard  # noqa: E402

# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def read_jsonl(path):
    if not os.path.exists(path):
        raise SystemExit(f'{path}: not found')
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f'{path}:{lineno}: bad JSON: {e}')


def load_truth(path):
    docs, quotes, boiler = {}, [], []
    for o in read_jsonl(path):
        if 'id' in o:
            docs[str(o['id'])] = o
        elif 'quote' in o:
            quotes.append(o)
        elif 'boilerplate' in o:
            boiler.append(o)
    return docs, quotes, boiler


def c2(n):
    return n * (n - 1) // 2


def edit_bucket(t):
    tgt = t.get('edit_target')
    if tgt is None:
        r = t.get('edit_rate', 0.0)
        tgt = min((0.01, 0.03, 0.05), key=lambda x: abs(x - r))
    return f'edit@{round(tgt * 100)}%'


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

def evaluate(truth_path, corpus_path, out_dir, max_pairs=2000, drift_threshold=0.5, ngram=5,
             threshold=0.7):
    tdocs, _, _ = load_truth(truth_path)
    pred_path = os.path.join(out_dir, 'documents.jsonl')
    status = Counter()
    cluster_of = {}
    seen = set()
    unknown = 0
    for o in read_jsonl(pred_path):
        did = str(o.get('id'))
        status[o.get('status', '?')] += 1
        if did not in tdocs:
            unknown += 1
            continue
        seen.add(did)
        if o.get('cluster') is not None:
            cluster_of[did] = o['cluster']
    missing = len(tdocs) - len(seen)

    clusters = defaultdict(list)
    for did, c in cluster_of.items():
        clusters[c].append(did)
    # a "cluster" with one member is a singleton for the pairwise measures
    families = Counter(t['family'] for t in tdocs.values())

    pred_pairs = sum(c2(len(m)) for m in clusters.values())
    true_pairs = sum(c2(n) for n in families.values())
    tp = 0
    for members in clusters.values():
        fam = Counter(tdocs[d]['family'] for d in members)
        tp += sum(c2(n) for n in fam.values())
    precision = tp / pred_pairs if pred_pairs else None
    recall = tp / true_pairs if true_pairs else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision and recall else 0.0)

    # recall by kind
    original_of = {}
    for did, t in tdocs.items():
        if t.get('kind') == 'original':
            original_of[t['family']] = did
    pairs_by_kind = defaultdict(list)  # bucket -> [(variant, original)]

    def same_cluster(a, b):
        ca, cb = cluster_of.get(a), cluster_of.get(b)
        return ca is not None and ca == cb

    for did, t in tdocs.items():
        kind = t.get('kind')
        if kind == 'exact':
            bucket = 'exact'
        elif kind == 'edit':
            bucket = edit_bucket(t)
        elif kind == 'related':
            bucket = 'related'
        else:
            continue
        if kind == 'related':
            orig = t.get('related_to')
        else:
            orig = original_of.get(t['family'])
        if orig is None:
            continue
        pairs_by_kind[bucket].append((did, orig))

    # texts: clustered documents (drift) and variant/original pairs (true similarity)
    need = {d for m in clusters.values() if len(m) > 1 for d in m}
    for ps in pairs_by_kind.values():
        for a, b in ps:
            need.add(a)
            need.add(b)
    texts = {}
    if need:
        for o in read_jsonl(corpus_path):
            did = str(o.get('id'))
            if did in need:
                texts[did] = o.get('text', '')
    sh_cache = {}

    def sh(did):
        s = sh_cache.get(did)
        if s is None:
            s = shingles(normalize_tokens(texts.get(did, '')), ngram)
            sh_cache[did] = s
        return s

    order = ['exact', 'edit@1%', 'edit@3%', 'edit@5%']
    order += sorted(k for k in pairs_by_kind if k not in order and k != 'related') + ['related']
    kind_recall = {}
    for k in order:
        ps = pairs_by_kind.get(k)
        if not ps:
            continue
        hits = [same_cluster(a, b) for a, b in ps]
        js = sorted(jaccard(sh(a), sh(b)) for a, b in ps)
        above = [h for (a, b), h in zip(ps, hits) if jaccard(sh(a), sh(b)) >= threshold]
        kind_recall[k] = {
            'n': len(ps),
            'rate': sum(hits) / len(ps),
            'median_jaccard': js[len(js) // 2],
            'n_above_threshold': len(above),
            'rate_above_threshold': (sum(above) / len(above)) if above else None,
        }

    checked = viol = viol_same = viol_cross = 0
    clusters_with_viol = 0
    worst = None
    examples = []
    for cid in sorted(clusters, key=lambda c: (str(type(c)), c)):
        members = sorted(clusters[cid])
        n = len(members)
        if n < 2:
            continue
        total = c2(n)
        if total <= max_pairs:
            pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        else:
            rng = random.Random(f'{cid}:{n}')
            ps = set()
            while len(ps) < max_pairs:
                i, j = rng.randrange(n), rng.randrange(n)
                if i != j:
                    ps.add((min(i, j), max(i, j)))
            pairs = sorted(ps)
        cv = 0
        for i, j in pairs:
            a, b = members[i], members[j]
            jac = jaccard(sh(a), sh(b))
            checked += 1
            if jac < drift_threshold:
                cv += 1
                if tdocs[a]['family'] == tdocs[b]['family']:
                    viol_same += 1
                else:
                    viol_cross += 1
                if len(examples) < 5:
                    examples.append({'cluster': cid, 'a': a, 'b': b, 'jaccard': round(jac, 4)})
            if worst is None or jac < worst:
                worst = jac
        viol += cv
        clusters_with_viol += cv > 0

    # sada's cluster kinds (clusters.jsonl, when written) against this normalization:
    # an "exact" cluster should hold documents with identical normalized text
    kinds = {}
    cpath = os.path.join(out_dir, 'clusters.jsonl')
    if os.path.exists(cpath):
        for o in read_jsonl(cpath):
            kinds[o.get('cluster')] = o.get('kind')
    exact_ok = exact_bad = near_identical = 0
    for cid, members in clusters.items():
        if len(members) < 2 or cid not in kinds:
            continue
        forms = {' '.join(normalize_tokens(texts.get(d, ''))) for d in members}
        if kinds[cid] == 'exact':
            if len(forms) == 1:
                exact_ok += 1
            else:
                exact_bad += 1
        elif len(forms) == 1:
            near_identical += 1

    sizes = Counter(len(m) for m in clusters.values() if len(m) > 1)
    size_hist = {}
    for lo, hi, name in ((2, 2, '2'), (3, 3, '3'), (4, 9, '4-9'), (10, 99, '10-99'), (100, 10**12, '100+')):
        c = sum(v for k, v in sizes.items() if lo <= k <= hi)
        if c:
            size_hist[name] = c

    return {
        'threshold': threshold,
        'truth_docs': len(tdocs),
        'truth_families': len(families),
        'truth_multi_families': sum(1 for n in families.values() if n > 1),
        'status': dict(status),
        'missing': missing,
        'unknown': unknown,
        'clusters': sum(1 for m in clusters.values() if len(m) > 1),
        'clustered_docs': sum(len(m) for m in clusters.values() if len(m) > 1),
        'cluster_sizes': size_hist,
        'pred_pairs': pred_pairs,
        'true_pairs': true_pairs,
        'tp_pairs': tp,
        'cross_family_pairs': pred_pairs - tp,
        'precision': precision,
        'recall': recall,
        'f1': f1,
        'kind_recall': kind_recall,
        'exact_kind': {
            'clusters_json': bool(kinds),
            'exact_confirmed': exact_ok,
            'exact_not_identical': exact_bad,
            'near_but_identical': near_identical,
        },
        'drift': {
            'threshold': drift_threshold,
            'ngram': ngram,
            'pairs_checked': checked,
            'violations': viol,
            'violations_same_family': viol_same,
            'violations_cross_family': viol_cross,
            'rate': (viol / checked) if checked else None,
            'clusters_with_violations': clusters_with_viol,
            'min_jaccard': worst,
            'examples': examples,
        },
    }


def print_table(r, out=sys.stdout):
    p = lambda *a: print(*a, file=out)
    p(f"document clusters   truth: {r['truth_docs']} docs in {r['truth_families']} families "
      f"({r['truth_multi_families']} with 2+ docs)")
    st = '  '.join(f'{k} {v}' for k, v in sorted(r['status'].items()))
    p(f"  sada output       {st}   missing {r['missing']}  unknown ids {r['unknown']}")
    sizes = '  '.join(f'{k}:{v}' for k, v in r['cluster_sizes'].items()) or '-'
    p(f"  clusters          {r['clusters']} with {r['clustered_docs']} docs   sizes {sizes}")
    p(f"  pairwise          precision {fmt(r['precision'])}   recall {fmt(r['recall'])}   "
      f"F1 {fmt(r['f1'])}")
    p(f"                    predicted pairs {r['pred_pairs']}, true pairs {r['true_pairs']}, "
      f"correct {r['tp_pairs']}, cross-family {r['cross_family_pairs']}")
    t = r['threshold']
    p(f"  {'recall by kind':<18}{'n':>7}  {'rate':>7}   {'med J' + str(r['drift']['ngram']):>8}"
      f"  {'n J>=' + str(t):>8}  {'rate J>=' + str(t):>10}")
    for k, v in r['kind_recall'].items():
        label = '  merged with their original: lower is better' if k == 'related' else ''
        p(f"    {k:<16}{v['n']:>7}  {fmt(v['rate']):>7}   {fmt(v['median_jaccard'], 3):>8}"
          f"  {v['n_above_threshold']:>8}  {fmt(v['rate_above_threshold']):>10}{label}")
    ek = r['exact_kind']
    if ek['clusters_json']:
        p(f"  cluster kind      'exact' clusters identical after this normalization "
          f"{ek['exact_confirmed']}, not identical {ek['exact_not_identical']}; "
          f"'near' clusters that are identical {ek['near_but_identical']}")
    d = r['drift']
    p(f"  drift (J{d['ngram']} < {d['threshold']})  {d['violations']} of {d['pairs_checked']} "
      f"pairs checked ({fmt(d['rate'])}); same family {d['violations_same_family']}, "
      f"cross family {d['violations_cross_family']}; clusters affected "
      f"{d['clusters_with_violations']}; min J {fmt(d['min_jaccard'])}")
    for e in d['examples']:
        p(f"    e.g. cluster {e['cluster']}: {e['a']} ~ {e['b']}  J={e['jaccard']}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--truth', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--out', required=True, help="sada's output directory")
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    ap.add_argument('--max-pairs', type=int, default=2000, help='drift pairs sampled per cluster')
    ap.add_argument('--threshold', type=float, default=0.7,
                    help="sada's document threshold: recall by kind is also given for the variants "
                         "whose true word 5-gram Jaccard with their original reaches it (default 0.7)")
    a = ap.parse_args(argv)
    r = evaluate(a.truth, a.corpus, a.out, max_pairs=a.max_pairs, threshold=a.threshold)
    if a.json:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print_table(r)
    return 0


if __name__ == '__main__':
    sys.exit(main())
