#!/usr/bin/env python3
"""Truth-free coherence check of sada's recycled statements.

    python3 scripts/eval/check_statements.py --out SADA_OUT_DIR [--truth TRUTH.jsonl]
        [--min-words 8] [--min-identity 0.6] [--max-gap 8] [--pairs 200] [--seed 1]
        [--json] INPUT...

INPUTs are the files and directories that were given to sada (.jsonl/.ndjson, .txt/.md,
each optionally .gz; directories walked recursively in file-name order, hidden entries
skipped), read here only to get each document's text by id: a JSONL record's id is its
"id" (a non-empty string, or a number written as a string), else "FILE:LINE"; a text
file's id is its file stem. Offsets are UTF-8 byte offsets into that text exactly as
read. (.zst, .warc and .wet inputs cannot be read with the standard library: their
documents count as unknown and pairs involving them are not checked.)

Why
  A statement should be COHERENT: one passage and its occurrences, each of which aligns
  with it, so that any two occurrences of a statement share a passage. A statement that
  chains (A shares p1 with B, B shares p2 with C, A and C share nothing) is not. This
  script measures that without any truth, by checking pairs of occurrences with its own
  aligner.

Independence from sada's aligner
  sada folds words with its Rust normalizer, seeds alignments with shared 3-word
  sequences and chains runs by dynamic programming. Here words are folded by a short
  rule list of its own, every matching word counts (no seeds: the matching blocks of
  Python's difflib.SequenceMatcher, autojunk off, single words included), and the best
  region is found by an exact search over chains of those blocks. Only the acceptance
  rule is shared with sada, on purpose (same --min-words, --min-identity, --max-gap).

Definitions
  fold       Unicode NFKC, casefold, remove Arabic harakat U+064B-U+065F, superscript
             alef U+0670 and tatweel U+0640, map أ إ آ ٱ to ا, ة to ه, ى to ي; words are
             the maximal runs of letters and digits (punctuation, whitespace and
             underscore separate words).
  align      Two occurrences (word lists a, b) ALIGN when some region [i0, i1) of a and
             [j0, j1) of b is covered by matching blocks chained with at most --max-gap
             unmatched words between consecutive blocks on each side, starts at a block's
             start and ends at a block's end, has at least --min-words words on EACH side,
             and its matched words are at least --min-identity of the longer side's
             words. Blocks are difflib's get_matching_blocks (non-crossing, found longest
             first); a region that would need crossing blocks is not seen, so this is a
             lower bound on what aligns. Pairs whose word multisets share fewer than
             ceil(min_identity * min_words) words are rejected without aligning.
  pairs      Two occurrences of one statement, unordered: cross-document (different
             documents, the headline) or same-document (a statement found more than once
             in one document); both are checked and reported.
  sampling   A statement with more than --pairs pairs has at most --pairs of them checked,
             drawn without replacement by random.Random("SEED:STATEMENT"), stratified:
             cross-document pairs and same-document pairs are sampled separately (each
             stratum gets at least half of the budget when it is large enough), and each
             checked pair weighs (pairs in its stratum) / (checked pairs in its stratum).
             The pooled shares below are thus unbiased estimates of the shares over all
             pairs.
  coherence                 share of all pairs (both kinds, every statement) that align
  coherence_cross_doc       share of cross-document pairs that align (the headline)
  coherence_same_doc        the same for same-document pairs
  coherence_non_boilerplate coherence_cross_doc over statements not flagged boilerplate
  coherence_boilerplate     coherence_cross_doc over statements flagged boilerplate
  coherence_mean_statement  mean over statements (with a cross-document pair) of each
                            statement's cross-document share
  incoherent_statements     statements with at least one checked cross-document pair
                            that does not align
  A share is null when there is no pair to measure (an empty statements.jsonl gives
  null coherence, not 1.0). Pairs with an occurrence whose document is unknown are left
  out of the shares and counted as pairs_unknown_doc.

Other measures
  statements, occurrences, boilerplate (flagged statements), occurrences per statement
  (median, p99, max), largest statement by documents and by occurrences (with its
  number); same_doc_overlaps: pairs of occurrences of one statement in one document whose
  byte ranges overlap (should be 0); cross_statement_overlaps: pairs of occurrences of
  two different statements that overlap in one document (informational; nested or
  repeated passages legitimately do).
  With --truth (gen_corpus.py / gen_adversarial.py truth): eval_passages.py's PAN
  measures (granularity, plagdet, precision, recall; cases of at least 12 words, its
  default), computed by its own code.

Output: a human-readable table, or one JSON object with --json. Exit status 2 on wrong
usage or a missing file. Python 3.11 standard library only.
"""
import argparse
import difflib
import gzip
import json
import math
import os
import random
import re
import sys
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import fmt  # noqa: E402

# ---------------------------------------------------------------------------
# folding (deliberately simpler than, and separate from, sada's normalizer)
# ---------------------------------------------------------------------------

_TABLE = {c: None for c in list(range(0x064B, 0x0660)) + [0x0670, 0x0640]}
_TABLE.update({ord(k): 'ا' for k in 'أإآٱ'})
_TABLE[ord('ة')] = 'ه'
_TABLE[ord('ى')] = 'ي'
_WORD_RE = re.compile(r'[^\W_]+')


def fold_words(text):
    """The folded words of `text`."""
    return _WORD_RE.findall(unicodedata.normalize('NFKC', text).casefold().translate(_TABLE))


# ---------------------------------------------------------------------------
# alignment
# ---------------------------------------------------------------------------

EPS = 1e-9


def needed_matches(min_words, min_identity):
    """Fewest matched words any aligned region has."""
    return max(1, math.ceil(min_identity * min_words - EPS))


def _chain_has_region(ch, min_words, min_identity):
    """Whether a chain of blocks [(a, b, size)] (gaps already within bounds) holds a
    sub-chain i..j with both sides >= min_words and matched >= min_identity * each side.

    With P the prefix sums of block sizes, region i..j has matched P[j+1]-P[i] and side
    lengths aend[j]-a[i], bend[j]-b[i]; the identity tests become FA[j] >= GA[i] and
    FB[j] >= GB[i] with FA[j] = P[j+1] - id*aend[j], GA[i] = P[i] - id*a[i] (same for b).
    The length tests admit a prefix of i that grows with j, so a Pareto front of
    (GA, GB) minima answers each j in O(log K)."""
    K = len(ch)
    P = [0] * (K + 1)
    for k, (_, _, s) in enumerate(ch):
        P[k + 1] = P[k] + s
    fa, fb = [], []  # front: GA ascending, GB strictly descending
    ptr = 0
    mi = min_identity
    for j in range(K):
        aj, bj, sj = ch[j]
        lim_a, lim_b = aj + sj - min_words, bj + sj - min_words
        while ptr <= j and ch[ptr][0] <= lim_a and ch[ptr][1] <= lim_b:
            ga = P[ptr] - mi * ch[ptr][0]
            gb = P[ptr] - mi * ch[ptr][1]
            pos = bisect_left(fa, ga)
            dominated = (pos > 0 and fb[pos - 1] <= gb) or \
                (pos < len(fa) and fa[pos] == ga and fb[pos] <= gb)
            if not dominated:
                end = pos
                while end < len(fa) and fb[end] >= gb:
                    end += 1
                fa[pos:end] = [ga]
                fb[pos:end] = [gb]
            ptr += 1
        if not fa:
            continue
        x = P[j + 1] - mi * (aj + sj)
        y = P[j + 1] - mi * (bj + sj)
        k = bisect_right(fa, x + EPS) - 1
        if k >= 0 and fb[k] <= y + EPS:
            return True
    return False


def aligns(a, b, min_words=8, min_identity=0.6, max_gap=8, ca=None, cb=None):
    """Whether word lists a and b share an aligned region (see the module docstring).
    ca, cb: their Counters, if already made."""
    if len(a) < min_words or len(b) < min_words:
        return False
    need = needed_matches(min_words, min_identity)
    ca = ca if ca is not None else Counter(a)
    cb = cb if cb is not None else Counter(b)
    if len(ca) > len(cb):
        ca, cb = cb, ca
    shared = 0
    for w, n in ca.items():
        m = cb.get(w)
        if m:
            shared += n if n < m else m
    if shared < need:
        return False
    if a == b:
        return True
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.find_longest_match(0, len(a), 0, len(b)).size >= min_words:
        return True  # one exact run is already a region (identity 1)
    blocks = sm.get_matching_blocks()
    chain = []
    matched = 0
    for i, j, s in blocks:
        if s == 0:
            break
        if chain:
            pa, pb, ps = chain[-1]
            if i - (pa + ps) > max_gap or j - (pb + ps) > max_gap:
                if matched >= need and _chain_has_region(chain, min_words, min_identity):
                    return True
                chain, matched = [], 0
        chain.append((i, j, s))
        matched += s
    return bool(chain) and matched >= need and _chain_has_region(chain, min_words, min_identity)


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------

class Usage(Exception):
    """Wrong usage or a missing file: exit status 2."""


def classify(name):
    """('text' | 'jsonl' | 'unsupported' | None, compression)."""
    n = name.lower()
    comp = None
    if '.' in n:
        rest, ext = n.rsplit('.', 1)
        if ext in ('gz', 'zst'):
            n, comp = rest, ext
    if '.' not in n:
        return None, comp
    ext = n.rsplit('.', 1)[1]
    if ext in ('txt', 'md'):
        return 'text', comp
    if ext in ('jsonl', 'ndjson'):
        return 'jsonl', comp
    if ext in ('warc', 'wet'):
        return 'unsupported', comp
    return None, comp


def stem(path):
    name = os.path.basename(path)
    if '.' in name and name.rsplit('.', 1)[1].lower() in ('gz', 'zst'):
        name = name.rsplit('.', 1)[0]
    if '.' in name:
        rest = name.rsplit('.', 1)[0]
        if rest:
            return rest
    return name


def input_files(inputs):
    """[(path, format, compression)] in sada's order."""
    files = []
    for inp in inputs:
        if not os.path.exists(inp):
            raise Usage(f'{inp}: no such file or directory')
        if os.path.isfile(inp):
            fmt_, comp = classify(os.path.basename(inp))
            if fmt_ is None:
                raise Usage(f'{inp}: not an input sada reads (.jsonl, .ndjson, .txt, .md, '
                            'optionally .gz)')
            files.append((inp, fmt_, comp))
            continue
        _walk(inp, files)
    return files


def _walk(d, files):
    """Depth first, entries in file-name order, hidden ones skipped (as sada walks)."""
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return
    for name in names:
        if name.startswith('.'):
            continue
        path = os.path.join(d, name)
        if os.path.isdir(path):
            _walk(path, files)
        elif os.path.isfile(path):
            fmt_, comp = classify(name)
            if fmt_ is not None:
                files.append((path, fmt_, comp))


def _open(path, comp):
    return gzip.open(path, 'rb') if comp == 'gz' else open(path, 'rb')


def read_texts(inputs, wanted):
    """{doc id: [text bytes, ...]} for the ids in `wanted` (several when an id repeats),
    and warnings."""
    texts = defaultdict(list)
    warnings = []
    for path, fmt_, comp in input_files(inputs):
        if fmt_ == 'unsupported' or comp == 'zst':
            warnings.append(f'{path}: cannot be read here (standard library only); '
                            'its documents count as unknown')
            continue
        try:
            if fmt_ == 'text':
                did = stem(path)
                if did in wanted:
                    with _open(path, comp) as f:
                        data = f.read()
                    try:
                        data.decode('utf-8')
                        texts[did].append(data)
                    except UnicodeDecodeError:
                        warnings.append(f'{path}: not UTF-8, skipped')
                continue
            with _open(path, comp) as f:
                for lineno, line in enumerate(f, 1):
                    if lineno == 1 and line.startswith(b'\xef\xbb\xbf'):
                        line = line[3:]
                    if not line.strip():
                        continue
                    try:
                        o = json.loads(line)
                    except (ValueError, UnicodeDecodeError):
                        continue
                    if not isinstance(o, dict) or not isinstance(o.get('text'), str):
                        continue
                    i = o.get('id')
                    if isinstance(i, str) and i:
                        did = i
                    elif isinstance(i, (int, float)) and not isinstance(i, bool):
                        did = str(i)
                    else:
                        did = f'{path}:{lineno}'
                    if did not in wanted:
                        continue
                    try:
                        texts[did].append(o['text'].encode('utf-8'))
                    except UnicodeEncodeError:  # lone surrogate: sada refuses the record
                        continue
        except (OSError, EOFError) as e:
            warnings.append(f'{path}: {e}')
    return texts, warnings


# ---------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------

def read_statements(path):
    if not os.path.isfile(path):
        raise Usage(f'{path}: not found (is --out a sada output directory?)')
    out = []
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                raise Usage(f'{path}:{lineno}: bad JSON: {e}')
            if not isinstance(o, dict):
                raise Usage(f'{path}:{lineno}: not a JSON object')
            o.setdefault('statement', lineno - 1)
            out.append(o)
    return out


def c2(n):
    return n * (n - 1) // 2


def pct(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]


def overlapping_pairs(items):
    """items: [(start, end, tag)] of one document. (pairs overlapping, pairs overlapping
    with different tags)."""
    items = sorted(items)
    active = []  # (end, tag)
    same = diff = 0
    for s, e, tag in items:
        active = [x for x in active if x[0] > s]
        for _, t in active:
            same += 1
            diff += t != tag
        active.append((e, tag))
    return same, diff


def pair_plan(docs_of, budget, rng):
    """Pairs of occurrence indices to check, by stratum. docs_of: doc id per occurrence.
    Returns (cross_total, same_total, cross_pairs, same_pairs)."""
    n = len(docs_of)
    order = sorted(range(n), key=lambda i: docs_of[i])
    groups = []  # (start, end) in `order`
    k = 0
    while k < n:
        e = k
        while e < n and docs_of[order[e]] == docs_of[order[k]]:
            e += 1
        groups.append((k, e))
        k = e
    same_total = sum(c2(e - s) for s, e in groups)
    cross_total = c2(n) - same_total
    if cross_total + same_total <= budget:
        cross, same = [], []
        for x in range(n):
            for y in range(x + 1, n):
                (cross if docs_of[order[x]] != docs_of[order[y]] else same).append(
                    (order[x], order[y]))
        return cross_total, same_total, cross, same
    n_cross = min(cross_total, max(budget // 2, budget - same_total))
    n_same = min(same_total, budget - n_cross)
    cross, same = [], []
    if n_cross:
        gend = [0] * n
        for s, e in groups:
            for x in range(s, e):
                gend[x] = e
        cum = [0]
        for x in range(n):
            cum.append(cum[-1] + (n - gend[x]))
        for t in sorted(rng.sample(range(cross_total), n_cross)):
            x = bisect_right(cum, t) - 1
            cross.append((order[x], order[gend[x] + t - cum[x]]))
    if n_same:
        gcum = [0]
        for s, e in groups:
            gcum.append(gcum[-1] + c2(e - s))
        for t in sorted(rng.sample(range(same_total), n_same)):
            g = bisect_right(gcum, t) - 1
            s, e = groups[g]
            r = t - gcum[g]
            m = e - s
            x = 0
            while r >= m - 1 - x:
                r -= m - 1 - x
                x += 1
            same.append((order[s + x], order[s + x + 1 + r]))
    return cross_total, same_total, cross, same


def check(out_dir, inputs, truth=None, min_words=8, min_identity=0.6, max_gap=8, pairs=200,
          seed=1):
    t0 = time.time()
    for p in inputs:
        if not os.path.exists(p):
            raise Usage(f'{p}: no such file or directory')
    if truth is not None and not os.path.isfile(truth):
        raise Usage(f'{truth}: not found')
    if not os.path.isdir(out_dir):
        raise Usage(f'{out_dir}: not a directory')
    stmts = read_statements(os.path.join(out_dir, 'statements.jsonl'))
    wanted = {str(o.get('doc')) for st in stmts for o in st.get('occurrences', [])}
    texts, warnings = read_texts(inputs, wanted)
    ambiguous = sum(1 for v in texts.values() if len(v) > 1)

    n_occ = n_boiler = bad_spans = bad_offsets = 0
    occ_counts = []
    largest_docs = largest_occ = None
    same_doc_overlaps = 0
    per_doc = defaultdict(list)  # doc -> [(start, end, statement)]
    acc = defaultdict(float)
    per_statement = []
    pairs_checked = 0
    identities = []

    for st in stmts:
        sid = st.get('statement')
        boiler = bool(st.get('boilerplate'))
        n_boiler += boiler
        occ = []
        for o in st.get('occurrences', []):
            try:
                d, s, e = str(o['doc']), int(o['start']), int(o['end'])
            except (KeyError, TypeError, ValueError):
                bad_spans += 1
                continue
            if e <= s or s < 0:
                bad_spans += 1
                continue
            occ.append((d, s, e))
            if isinstance(o.get('identity'), (int, float)):
                identities.append(float(o['identity']))
        n = len(occ)
        n_occ += n
        occ_counts.append(n)
        ndocs = len({d for d, _, _ in occ})
        if largest_docs is None or ndocs > largest_docs[1]:
            largest_docs = (sid, ndocs, n)
        if largest_occ is None or n > largest_occ[2]:
            largest_occ = (sid, ndocs, n)
        by_doc = defaultdict(list)
        for d, s, e in occ:
            by_doc[d].append((s, e, 0))
            per_doc[d].append((s, e, sid))
        for items in by_doc.values():
            if len(items) > 1:
                same_doc_overlaps += overlapping_pairs(items)[0]

        rng = random.Random(f'{seed}:{sid}')
        docs_of = [d for d, _, _ in occ]
        cross_total, same_total, cross, same = pair_plan(docs_of, pairs, rng)
        words, counters = {}, {}

        def get(i):
            nonlocal bad_offsets
            if i not in words:
                d, s, e = occ[i]
                cand = texts.get(d)
                if not cand:
                    words[i] = None
                else:
                    data = cand[0]
                    if e > len(data):
                        bad_offsets += 1
                        words[i] = None
                        return None
                    raw = data[s:e]
                    try:
                        txt = raw.decode('utf-8')
                    except UnicodeDecodeError:
                        bad_offsets += 1
                        txt = raw.decode('utf-8', errors='replace')
                    words[i] = fold_words(txt)
                    counters[i] = Counter(words[i])
            return words[i]

        res = {}
        for stratum, plist, total in (('cross', cross, cross_total), ('same', same, same_total)):
            ok = done = unknown = 0
            for x, y in plist:
                wa, wb = get(x), get(y)
                if wa is None or wb is None:
                    unknown += 1
                    continue
                done += 1
                ok += aligns(wa, wb, min_words, min_identity, max_gap, counters[x], counters[y])
            pairs_checked += done
            share = ok / done if done else None
            res[stratum] = share
            if plist:
                acc['unknown_' + stratum] += unknown * total / len(plist)
            if share is not None:
                # the stratum's pairs with known documents, estimated
                known = total * done / len(plist)
                acc[stratum + '_known'] += known
                acc[stratum + '_ok'] += known * share
                grp = 'boiler' if boiler else 'news'
                acc[f'{grp}_{stratum}_known'] += known
                acc[f'{grp}_{stratum}_ok'] += known * share
        acc['cross_total'] += cross_total
        acc['same_total'] += same_total
        per_statement.append({'statement': sid, 'docs': ndocs, 'occurrences': n,
                              'boilerplate': boiler, 'cross_pairs': cross_total,
                              'coherence_cross_doc': res['cross'],
                              'coherence_same_doc': res['same']})

    cross_statement_overlaps = 0
    for items in per_doc.values():
        if len(items) > 1:
            cross_statement_overlaps += overlapping_pairs(items)[1]

    def share(ok, known):
        return acc[ok] / acc[known] if acc[known] > 0 else None

    all_known = acc['cross_known'] + acc['same_known']
    shares = [p['coherence_cross_doc'] for p in per_statement
              if p['coherence_cross_doc'] is not None]
    incoherent = [p for p in per_statement
                  if p['coherence_cross_doc'] is not None and p['coherence_cross_doc'] < 1]
    worst = sorted(incoherent, key=lambda p: (-p['cross_pairs'] * (1 - p['coherence_cross_doc']),
                                              str(p['statement'])))[:5]
    r = {
        'statements': len(stmts),
        'occurrences': n_occ,
        'boilerplate': n_boiler,
        'occurrences_per_statement': {'median': pct(occ_counts, 0.5), 'p99': pct(occ_counts, 0.99),
                                      'max': max(occ_counts) if occ_counts else None},
        'largest_docs': largest_docs[1] if largest_docs else 0,
        'largest_docs_statement': largest_docs[0] if largest_docs else None,
        'largest_occurrences': largest_occ[2] if largest_occ else 0,
        'largest_occurrences_statement': largest_occ[0] if largest_occ else None,
        'pairs': int(acc['cross_total'] + acc['same_total']),
        'cross_doc_pairs': int(acc['cross_total']),
        'same_doc_pairs': int(acc['same_total']),
        'pairs_checked': pairs_checked,
        'pairs_unknown_doc': round(acc['unknown_cross'] + acc['unknown_same']),
        'coherence': ((acc['cross_ok'] + acc['same_ok']) / all_known) if all_known > 0 else None,
        'coherence_cross_doc': share('cross_ok', 'cross_known'),
        'coherence_same_doc': share('same_ok', 'same_known'),
        'coherence_mean_statement': (sum(shares) / len(shares)) if shares else None,
        'coherence_non_boilerplate': share('news_cross_ok', 'news_cross_known'),
        'coherence_boilerplate': share('boiler_cross_ok', 'boiler_cross_known'),
        'incoherent_statements': len(incoherent),
        'worst_statements': worst,
        'same_doc_overlaps': same_doc_overlaps,
        'cross_statement_overlaps': cross_statement_overlaps,
        'reported_identity': ({'min': min(identities), 'median': pct(identities, 0.5)}
                              if identities else None),
        'unknown_docs': len(wanted - set(texts)),
        'ambiguous_ids': ambiguous,
        'bad_spans': bad_spans,
        'bad_offsets': bad_offsets,
        'warnings': warnings,
        'parameters': {'min_words': min_words, 'min_identity': min_identity,
                       'max_gap': max_gap, 'pairs': pairs, 'seed': seed},
        'granularity': None,
        'truth': None,
    }
    if truth is not None:
        import eval_passages
        ev = eval_passages.evaluate(truth, out_dir)
        r['granularity'] = ev['granularity']
        r['truth'] = {k: ev[k] for k in ('plagdet', 'precision', 'recall', 'f1', 'granularity',
                                          'detected_cases', 'cases_counted', 'detections',
                                          'false_detections', 'min_words')}
    r['seconds'] = round(time.time() - t0, 3)
    return r


def print_table(r, out=None):
    out = out or sys.stdout
    p = lambda *a: print(*a, file=out)  # noqa: E731
    pr = r['parameters']
    p(f"statement coherence (own aligner: >= {pr['min_words']} words, identity >= "
      f"{pr['min_identity']}, gaps <= {pr['max_gap']}; <= {pr['pairs']} pairs per statement, "
      f"seed {pr['seed']})")
    ops = r['occurrences_per_statement']
    rows = [
        ('statements', f"{r['statements']} ({r['boilerplate']} boilerplate)"),
        ('occurrences', f"{r['occurrences']}" + (
            f"   per statement: median {ops['median']}, p99 {ops['p99']}, max {ops['max']}"
            if r['statements'] else '')),
        ('largest statement', (
            f"#{r['largest_docs_statement']}: {r['largest_docs']} documents; "
            f"#{r['largest_occurrences_statement']}: {r['largest_occurrences']} occurrences")
         if r['statements'] else 'none'),
        ('pairs', f"{r['pairs']} ({r['cross_doc_pairs']} cross-document, {r['same_doc_pairs']} "
                  f"same-document); {r['pairs_checked']} checked"
                  + (f"; {r['pairs_unknown_doc']} with an unknown document"
                     if r['pairs_unknown_doc'] else '')),
        ('coherence cross-doc', f"{fmt(r['coherence_cross_doc'])}   (non-boilerplate "
                                f"{fmt(r['coherence_non_boilerplate'])}, boilerplate "
                                f"{fmt(r['coherence_boilerplate'])})"),
        ('coherence all pairs', f"{fmt(r['coherence'])}   (same-document "
                                f"{fmt(r['coherence_same_doc'])})"),
        ('mean per statement', f"{fmt(r['coherence_mean_statement'])}   "
                               f"({r['incoherent_statements']} statements with a failing pair)"),
        ('overlaps', f"{r['same_doc_overlaps']} within a statement (should be 0), "
                     f"{r['cross_statement_overlaps']} across statements"),
    ]
    if r['reported_identity']:
        rows.append(('reported identity', f"min {fmt(r['reported_identity']['min'], 3)}, median "
                                          f"{fmt(r['reported_identity']['median'], 3)}"))
    if r['truth']:
        t = r['truth']
        rows.append(('truth (PAN)', f"granularity {fmt(t['granularity'])}   plagdet "
                                    f"{fmt(t['plagdet'])}   precision {fmt(t['precision'])}   "
                                    f"recall {fmt(t['recall'])}"))
    else:
        rows.append(('granularity', 'n/a (no --truth)'))
    problems = []
    for key, what in (('unknown_docs', 'documents not found in the inputs'),
                      ('ambiguous_ids', 'ids found more than once (first text used)'),
                      ('bad_spans', 'empty or malformed spans'),
                      ('bad_offsets', 'spans not on UTF-8 character boundaries')):
        if r[key]:
            problems.append(f'{r[key]} {what}')
    if problems:
        rows.append(('problems', '; '.join(problems)))
    rows.append(('seconds', f"{r['seconds']:.1f}"))
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        p(f'  {k:<{w}}  {v}')
    if r['worst_statements']:
        p('  worst statements (estimated failing cross-document pairs):')
        p(f"    {'statement':>10} {'docs':>6} {'occ':>6} {'pairs':>9} {'coherence':>10}  boilerplate")
        for s in r['worst_statements']:
            p(f"    {str(s['statement']):>10} {s['docs']:>6} {s['occurrences']:>6} "
              f"{s['cross_pairs']:>9} {fmt(s['coherence_cross_doc']):>10}  "
              f"{'yes' if s['boilerplate'] else 'no'}")
    for wmsg in r['warnings']:
        p(f'  warning: {wmsg}')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help="sada's output directory")
    ap.add_argument('--truth', help='truth.jsonl of gen_corpus.py / gen_adversarial.py')
    ap.add_argument('--min-words', type=int, default=8)
    ap.add_argument('--min-identity', type=float, default=0.6)
    ap.add_argument('--max-gap', type=int, default=8)
    ap.add_argument('--pairs', type=int, default=200, help='most pairs checked per statement')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    ap.add_argument('inputs', nargs='+', metavar='INPUT', help='the inputs given to sada')
    a = ap.parse_args(argv)
    if a.min_words < 1:
        ap.error('--min-words must be at least 1')
    if not 0 < a.min_identity <= 1:
        ap.error('--min-identity must be in (0, 1]')
    if a.max_gap < 0:
        ap.error('--max-gap must be at least 0')
    if a.pairs < 1:
        ap.error('--pairs must be at least 1')
    try:
        r = check(a.out, a.inputs, a.truth, a.min_words, a.min_identity, a.max_gap, a.pairs,
                  a.seed)
    except Usage as e:
        print(f'check_statements.py: error: {e}', file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print_table(r)
    return 0


if __name__ == '__main__':
    sys.exit(main())
