#!/usr/bin/env python3
"""PAN-style quality of sada's recycled statements (passage detection) against a truth.

    python3 scripts/eval/eval_passages.py --truth DIR/truth.jsonl --out SADA_OUT_DIR
                                          [--min-words 12] [--json]

Reads SADA_OUT_DIR/statements.jsonl: {"statement", "boilerplate", "occurrences":
[{"doc", "start", "end"}]} with UTF-8 byte offsets, half-open.

Cases and detections
  * A case is an unordered pair of occurrences (in two different documents) of one
    passage of the truth (a planted quote, or a sentence a `related` document shares with
    its original).
  * A detection is an unordered pair of occurrences in two different documents of one
    statement. Statements flagged "boilerplate" are not claims of recycled news and are
    left out (reported separately; --include-boilerplate keeps them).
  * Pairs of documents of the same true family (near-duplicate articles, which share
    everything) are left out of both cases and detections: that is what eval_clusters.py
    judges (--include-same-family keeps them).

Measures (Potthast, Stein, Barrón-Cedeño, Rosso: "An Evaluation Framework for Plagiarism
Detection", COLING 2010). Characters are counted as UTF-8 bytes here. A case s and a
detection r are each a pair of byte ranges in the same two documents; r detects s when
they overlap on both sides; s ⊓ r is then their intersection (both sides), else empty.
  precision = 1/|R| Σ_r |∪_s (s ⊓ r)| / |r|
  recall    = 1/|S| Σ_s |∪_r (s ⊓ r)| / |s|
  granularity = 1/|S_R| Σ_{s ∈ S_R} |R_s|   (S_R: detected cases, R_s: detections of s)
  plagdet   = F1 / log2(1 + granularity)
These are the paper's definitions: every case and every detection weighs the same
(macro-average over cases / detections, character-level inside each). The byte-pooled
("micro") precision and recall are also reported.

Only cases of at least --min-words words count for recall and granularity; precision
uses every case, so that a detection of a shorter shared passage is not called false.
Documents share other text by chance (stock phrases, site templates that sada does not
flag): precision counts such detections as false, honestly.
"""
import argparse
import json
import math
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from eval.eval_clusters import read_jsonl, load_truth, fmt  # noqa: E402


def overlap(a0, a1, b0, b1):
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if lo < hi else None


def union_len(ivs):
    if not ivs:
        return 0
    ivs = sorted(ivs)
    total = 0
    cs, ce = ivs[0]
    for s, e in ivs[1:]:
        if s > ce:
            total += ce - cs
            cs, ce = s, e
        elif e > ce:
            ce = e
    return total + ce - cs


def canon(o1, o2):
    """Order a pair of occurrences by document id (documents differ)."""
    if (o1[0], o1[1]) <= (o2[0], o2[1]):
        return o1, o2
    return o2, o1


def length_bucket(words):
    if words < 12:
        return '<12'
    if words <= 40:
        return '12-40'
    if words <= 120:
        return '41-120'
    if words < 200:
        return '121-199'
    return '200+'


def evaluate(truth_path, out_dir, min_words=12, include_boilerplate=False,
             include_same_family=False):
    tdocs, tquotes, tboiler = load_truth(truth_path)
    family = {d: t['family'] for d, t in tdocs.items()}
    kind = {d: t.get('kind', 'original') for d, t in tdocs.items()}

    def same_family(a, b):
        fa, fb = family.get(a), family.get(b)
        return fa is not None and fa == fb

    # ---- cases
    cases = []          # dicts
    by_pair = defaultdict(list)
    skipped_case_pairs = 0
    for q in tquotes:
        occ = [(str(o['doc']), int(o['start']), int(o['end'])) for o in q['occurrences']]
        for i in range(len(occ)):
            for j in range(i + 1, len(occ)):
                a, b = occ[i], occ[j]
                if a[0] == b[0]:
                    continue
                if not include_same_family and same_family(a[0], b[0]):
                    skipped_case_pairs += 1
                    continue
                a, b = canon(a, b)
                heads = kind.get(a[0]) in ('original', 'related') and kind.get(b[0]) in ('original', 'related')
                c = {'a': a, 'b': b, 'quote': q['quote'], 'words': q.get('words', 0),
                     'change': q.get('change_target', q.get('change_rate', 0.0)),
                     'origin': q.get('origin', 'planted'),
                     'pair': 'no-copy' if heads else 'with-copy',
                     'ivA': [], 'ivB': [], 'ndet': 0}
                cases.append(c)
                by_pair[(a[0], b[0])].append(c)

    # boilerplate truth spans per document (diagnostics only)
    boiler_spans = defaultdict(list)
    for b in tboiler:
        for o in b['occurrences']:
            boiler_spans[str(o['doc'])].append((int(o['start']), int(o['end'])))

    def in_boiler(doc, s, e):
        return any(overlap(s, e, x, y) for x, y in boiler_spans.get(doc, ()))

    # ---- detections
    n_statements = n_flagged = 0
    flagged_hiding_cases = 0
    skipped_det_pairs = 0
    unknown_docs = set()
    bad_spans = 0
    dets = []
    flagged_occ = defaultdict(list)
    path = os.path.join(out_dir, 'statements.jsonl')
    for st in read_jsonl(path):
        n_statements += 1
        occ = []
        for o in st.get('occurrences', []):
            d, s, e = str(o['doc']), int(o['start']), int(o['end'])
            if e <= s:
                bad_spans += 1
                continue
            if d not in tdocs:
                unknown_docs.add(d)
            occ.append((d, s, e))
        flagged = bool(st.get('boilerplate'))
        if flagged:
            n_flagged += 1
            for d, s, e in occ:
                flagged_occ[d].append((s, e))
            if not include_boilerplate:
                continue
        for i in range(len(occ)):
            for j in range(i + 1, len(occ)):
                a, b = occ[i], occ[j]
                if a[0] == b[0]:
                    continue
                if not include_same_family and same_family(a[0], b[0]):
                    skipped_det_pairs += 1
                    continue
                a, b = canon(a, b)
                dets.append((a, b, st.get('statement')))

    # ---- matching
    det_cov = []
    for a, b, _sid in dets:
        ivA, ivB = [], []
        for c in by_pair.get((a[0], b[0]), ()):
            oa = overlap(a[1], a[2], c['a'][1], c['a'][2])
            if not oa:
                continue
            ob = overlap(b[1], b[2], c['b'][1], c['b'][2])
            if not ob:
                continue
            ivA.append(oa)
            ivB.append(ob)
            c['ivA'].append(oa)
            c['ivB'].append(ob)
            c['ndet'] += 1
        det_cov.append(union_len(ivA) + union_len(ivB))

    # ---- precision (all cases)
    det_len = [(a[2] - a[1]) + (b[2] - b[1]) for a, b, _ in dets]
    if dets:
        precision = sum(cv / ln for cv, ln in zip(det_cov, det_len)) / len(dets)
        precision_micro = sum(det_cov) / sum(det_len)
    else:
        precision = precision_micro = None
    false_dets = [i for i, cv in enumerate(det_cov) if cv == 0]
    false_boiler = sum(1 for i in false_dets
                       if in_boiler(dets[i][0][0], dets[i][0][1], dets[i][0][2])
                       and in_boiler(dets[i][1][0], dets[i][1][1], dets[i][1][2]))
    false_short = sum(1 for i in false_dets if det_len[i] < 200)

    # ---- recall, granularity (cases of >= min_words)
    counted = [c for c in cases if c['words'] >= min_words]

    def case_cov(c):
        ln = (c['a'][2] - c['a'][1]) + (c['b'][2] - c['b'][1])
        return union_len(c['ivA']) + union_len(c['ivB']), ln

    def summarize(cs):
        if not cs:
            return {'n': 0, 'recall': None, 'recall_micro': None, 'detected': None,
                    'granularity': None}
        covs = [case_cov(c) for c in cs]
        det = [c for c in cs if c['ndet']]
        return {
            'n': len(cs),
            'recall': sum(cv / ln for cv, ln in covs) / len(cs),
            'recall_micro': sum(cv for cv, _ in covs) / sum(ln for _, ln in covs),
            'detected': len(det) / len(cs),
            'granularity': (sum(c['ndet'] for c in det) / len(det)) if det else None,
        }

    tot = summarize(counted)
    recall = tot['recall']
    gran = tot['granularity'] or 1.0
    if precision and recall:
        f1 = 2 * precision * recall / (precision + recall)
    else:
        f1 = 0.0
    plagdet = f1 / math.log2(1 + gran)

    buckets = {}
    for name, key, order in (
            ('length', lambda c: length_bucket(c['words']), ['12-40', '41-120', '121-199', '200+']),
            ('change', lambda c: f"{round(c['change'] * 100)}%", None),
            ('origin', lambda c: c['origin'], ['planted', 'related']),
            ('pair', lambda c: c['pair'], ['no-copy', 'with-copy'])):
        groups = defaultdict(list)
        for c in counted:
            groups[key(c)].append(c)
        keys = order or sorted(groups, key=lambda k: float(k.rstrip('%')))
        buckets[name] = {k: summarize(groups[k]) for k in keys if k in groups}

    # flagged statements that overlap real passages (they hide recycled news)
    for c in counted:
        if any(overlap(c['a'][1], c['a'][2], s, e) for s, e in flagged_occ.get(c['a'][0], ())) and \
           any(overlap(c['b'][1], c['b'][2], s, e) for s, e in flagged_occ.get(c['b'][0], ())):
            flagged_hiding_cases += 1
    # true boilerplate passages that some flagged statement covers in 2+ documents
    bp_found = 0
    for b in tboiler:
        hit_docs = {str(o['doc']) for o in b['occurrences']
                    if any(overlap(int(o['start']), int(o['end']), s, e)
                           for s, e in flagged_occ.get(str(o['doc']), ()))}
        bp_found += len(hit_docs) >= 2

    return {
        'min_words': min_words,
        'units': 'UTF-8 bytes',
        'truth_passages': len(tquotes),
        'cases': len(cases),
        'cases_counted': len(counted),
        'case_pairs_same_family_skipped': skipped_case_pairs,
        'statements': n_statements,
        'statements_boilerplate': n_flagged,
        'detections': len(dets),
        'detection_pairs_same_family_skipped': skipped_det_pairs,
        'unknown_docs': len(unknown_docs),
        'bad_spans': bad_spans,
        'precision': precision,
        'recall': recall,
        'f1': f1,
        'granularity': tot['granularity'],
        'plagdet': plagdet,
        'precision_micro': precision_micro,
        'recall_micro': tot['recall_micro'],
        'detected_cases': tot['detected'],
        'false_detections': len(false_dets),
        'false_detections_short': false_short,
        'false_detections_in_boilerplate': false_boiler,
        'boilerplate_passages': len(tboiler),
        'boilerplate_passages_flagged': bp_found,
        'cases_hidden_by_boilerplate_flag': flagged_hiding_cases,
        'buckets': buckets,
    }


def print_table(r, out=sys.stdout):
    p = lambda *a: print(*a, file=out)
    p(f"recycled statements (PAN measures on {r['units']}; cases >= {r['min_words']} words for recall)")
    p(f"  truth             {r['truth_passages']} passages, {r['cases']} cases "
      f"({r['cases_counted']} counted; {r['case_pairs_same_family_skipped']} same-family pairs left out)")
    p(f"  sada              {r['statements']} statements ({r['statements_boilerplate']} boilerplate), "
      f"{r['detections']} detections ({r['detection_pairs_same_family_skipped']} same-family pairs "
      f"left out)" + (f", {r['unknown_docs']} unknown docs" if r['unknown_docs'] else '')
      + (f", {r['bad_spans']} empty spans" if r['bad_spans'] else ''))
    p(f"  plagdet {fmt(r['plagdet'])}   precision {fmt(r['precision'])}   recall {fmt(r['recall'])}   "
      f"F1 {fmt(r['f1'])}   granularity {fmt(r['granularity'])}")
    p(f"  byte-pooled       precision {fmt(r['precision_micro'])}   recall {fmt(r['recall_micro'])}   "
      f"cases detected {fmt(r['detected_cases'])}")
    p(f"  false detections  {r['false_detections']} (under 200 bytes: {r['false_detections_short']}; "
      f"inside unflagged site boilerplate: {r['false_detections_in_boilerplate']})")
    p(f"  boilerplate flag  true template passages flagged {r['boilerplate_passages_flagged']}"
      f"/{r['boilerplate_passages']}; cases hidden by a flagged statement "
      f"{r['cases_hidden_by_boilerplate_flag']}")
    p(f"  {'recall by':<20}{'n':>7}  {'recall':>7}  {'detected':>8}  {'gran':>6}"
      "   (pair with-copy: one side is an exact/edit copy of an article)")
    for name, groups in r['buckets'].items():
        for k, v in groups.items():
            p(f"    {name + ' ' + k:<18}{v['n']:>7}  {fmt(v['recall']):>7}  "
              f"{fmt(v['detected']):>8}  {fmt(v['granularity'], 2):>6}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--truth', required=True)
    ap.add_argument('--out', required=True, help="sada's output directory")
    ap.add_argument('--min-words', type=int, default=12)
    ap.add_argument('--include-boilerplate', action='store_true',
                    help='count statements flagged boilerplate as detections too')
    ap.add_argument('--include-same-family', action='store_true',
                    help='keep pairs of documents of one true family')
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    a = ap.parse_args(argv)
    r = evaluate(a.truth, a.out, a.min_words, a.include_boilerplate, a.include_same_family)
    if a.json:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print_table(r)
    return 0


if __name__ == '__main__':
    sys.exit(main())
