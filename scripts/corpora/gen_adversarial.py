#!/usr/bin/env python3
"""Generate adversarial corpora for sada's recycled statements (passages shared between
documents), with a truth of the planted passages.

    python3 scripts/corpora/gen_adversarial.py --out DIR --kind KIND [--scale S] [--seed N]
                                               [--script arabic|latin]

KIND is chain, sliding, repeat, boilerplate, formulaic, or all (every kind, written into
DIR/<kind>/). Each kind's size grows linearly with --scale (default 1), so runs at x1, x2,
x4 show how a tool's cost grows.

  chain        200*S documents D0..Dn-1. Passage p_i (30 words) is shared by D_i and
               D_i+1 only, so D_i holds p_i-1 and then p_i, separated by nothing but
               punctuation (one document in three), by 1-8 words of its own (one in three,
               within sada's default --max-gap) or by 30-60 words, amid 60-120 other words
               of its own. Correct statements are the pairs {D_i, D_i+1}; a tool that chains
               (A shares p1 with B, B shares p2 with C) makes one statement of them all.
  sliding      200*S documents over one long text T: document i holds words
               [10i, 10i+30) of T (one paragraph) between about 120 words of its own text.
               Neighbours share 20 words, documents two apart share 10, three apart nothing.
  repeat       64*S documents; each has its own text and one paragraph (40 words, from a
               pool of 8; document i takes paragraph i mod 8) repeated 50 times, the
               repetitions separated by 0 or 5-20 words of its own text; plus one 25-word
               quote shared with exactly one other document.
  boilerplate  1000*S documents from 20 sources, each with about 200 words of its own text
               and the same 300-word licence-like paragraph (at the end, or at the start in
               one document in five); plus 10*S quotes (25-60 words) each shared by a pair.
  formulaic    2000*S documents, each opening with an attribution chain of 3-6 stock
               phrases drawn from a pool of 30 with random names ("قال وزير الخارجية {name}",
               "حدثنا {name} عن {name} قال", "في مؤتمر صحفي", ...), then 80-150 words of its
               own text; plus 60*S quotes (25-60 words) each shared by 2-10 documents.

Words come from a Zipf-distributed vocabulary of about 20,000 words (a head of real function
words, then random 3-7 letter strings of the script's alphabet, unique after folding), so
common words repeat as in real text; sentences of 8-25 words with commas and full stops,
paragraphs separated by blank lines. "Own text" is drawn afresh for every document: it
shares only common words and the odd common word pair with other documents.

Writes
  DIR/corpus.jsonl  {"id", "text", "source", "url"} per document
  DIR/truth.jsonl   the format of gen_corpus.py, so that eval_passages.py and
                    check_statements.py --truth read it:
                      one line per document: {"id", "family" (= id: no near-duplicates),
                        "kind": "original", "edit_rate": 0.0, "source", "adversarial": KIND}
                      one line per planted passage: {"quote", "occurrences": [{"doc",
                        "start", "end"}], "words", "change_rate": 0.0, "change_target": 0.0,
                        "origin": "planted", "source_doc", "adversarial": KIND}
                      one line per repeated non-news passage: {"boilerplate", "source"
                        (null when it spans sources), "words", "occurrences", "kind":
                        "licence" | "repeat" | "formula"}
Offsets are UTF-8 byte offsets, half-open, into the text as written; a span starts at the
first letter of its first word and ends after the last letter of its last word (quotation
marks and final punctuation excluded). Passages are copied exactly (change rate 0).

Truth semantics per kind
  chain        quote p_i: occurrences in D_i and D_i+1.
  sliding      one quote per pair of documents that share words: (i, i+1) shares the 20
               words [10i+10, 10i+30) of T, (i, i+2) the 10 words [10i+20, 10i+30). A
               stretch of T is thus inside several quotes (eval_passages.py counts cases of
               at least 12 words for recall, so the 10-word quotes only count for
               precision).
  repeat       the 25-word quotes (2 occurrences each). The repeated paragraphs are
               "boilerplate" lines of kind "repeat" (one per paragraph of the pool, every
               repetition an occurrence): as quotes they would make 2,500 cases per pair
               of documents. eval_passages.py therefore counts a detection of a repeated
               paragraph as a false detection (it reports it as one "inside boilerplate").
  boilerplate  the quotes; the licence paragraph is one "boilerplate" line of kind
               "licence" (source null: every source carries it).
  formulaic    the quotes; each stock phrase (with whatever names it got) is a
               "boilerplate" line of kind "formula" listing its occurrences.

Deterministic for a seed: only random.Random(seed) is used; `all` runs every kind with the
same seed, so DIR/chain equals --kind chain.
"""
import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from corpora.gen_corpus import Zipf, weighted, AR_FUNCTION, LA_FUNCTION, AR_CONS  # noqa: E402
from eval.normalizer import normalize_tokens  # noqa: E402

KINDS = ('chain', 'sliding', 'repeat', 'boilerplate', 'formulaic')
VOCAB = 20000

LA_LETTERS = ('eeeeeeeeeeeetttttttttaaaaaaaaooooooooiiiiiiinnnnnnnsssssshhhhhhrrrrrr'
              'ddddllllcccuuummwwffggyypbbvkjxqz')
AR_LETTERS = AR_CONS + [('ا', 7), ('ي', 3), ('و', 2)]
AR_FIRST = ['محمد', 'أحمد', 'علي', 'حسن', 'حسين', 'عمر', 'خالد', 'يوسف', 'إبراهيم', 'عبد الله',
            'سعيد', 'مصطفى', 'محمود', 'طارق', 'سامي', 'كريم', 'جاسم', 'فؤاد', 'هشام', 'عادل',
            'سلمان', 'ناصر', 'فيصل', 'عبد الرحمن', 'زياد', 'مالك', 'أنس', 'جابر', 'قتادة', 'نافع']
AR_CITIES = ['بغداد', 'القاهرة', 'دمشق', 'عمان', 'بيروت', 'الرياض', 'موسكو', 'أنقرة', 'طهران',
             'الدوحة', 'تونس', 'الرباط']
AR_AGENCIES = ['الأنباء الرسمية', 'رويترز', 'فرانس برس', 'الأناضول', 'سبوتنيك', 'واع']
AR_FORMULAS = [
    'قال وزير الخارجية {n}', 'في مؤتمر صحفي', 'حدثنا {n} عن {n} قال', 'أخبرنا {n} قال',
    'عن {n} أنه قال', 'وأضاف المتحدث باسم الحكومة {n}', 'في بيان صحفي اليوم',
    'بحسب ما أفادت مصادر مطلعة', 'نقلا عن وكالة {a}', 'في تصريح خاص لوسائل الإعلام',
    'وأكد رئيس الوزراء {n}', 'خلال لقائه بنظيره {n}', 'على هامش أعمال القمة',
    'في العاصمة {c}', 'وأشار إلى أن', 'وفقا لما ذكره {n}', 'في اتصال هاتفي مع {n}',
    'وقال مصدر مسؤول رفض الكشف عن اسمه', 'وذكر شهود عيان', 'صرح الناطق الرسمي {n}',
    'في حديث لقناة {a}', 'خلال جلسة البرلمان', 'وأوضح {n} أن', 'حدثني {n} قال حدثنا {n}',
    'رواه {n} عن أبيه', 'في الوقت ذاته', 'من جهة أخرى', 'وتابع قائلا',
    'حسبما نقلت وكالة {a} عن {n}', 'وأعلنت الوزارة في بيان']
AR_LICENCE = 'جميع الحقوق محفوظة لا يجوز نسخ أو إعادة نشر هذا المحتوى دون إذن خطي مسبق'

LA_FIRST = ['john', 'maria', 'ahmed', 'li', 'sergei', 'fatima', 'david', 'elena', 'omar',
            'james', 'anna', 'karim', 'peter', 'laila', 'ivan', 'sara', 'tom', 'nadia',
            'yusuf', 'clara']
LA_CITIES = ['baghdad', 'cairo', 'damascus', 'amman', 'beirut', 'riyadh', 'moscow', 'ankara',
             'tehran', 'doha', 'tunis', 'rabat']
LA_AGENCIES = ['state news agency', 'reuters', 'afp', 'anadolu', 'sputnik', 'ina']
LA_FORMULAS = [
    'said foreign minister {n}', 'at a press conference', 'narrated {n} from {n} who said',
    '{n} told us that', 'on the authority of {n}', 'government spokesman {n} added',
    'in a press statement today', 'according to informed sources', 'citing {a}',
    'in an exclusive statement to the media', 'prime minister {n} stressed',
    'during a meeting with his counterpart {n}', 'on the sidelines of the summit',
    'in the capital {c}', 'he pointed out that', 'according to {n}', 'in a phone call with {n}',
    'an official source who declined to be named said', 'eyewitnesses said',
    'official spokesman {n} stated', 'in an interview with {a}', 'during the parliament session',
    '{n} explained that', 'reported by {n} who heard it from {n}', 'reported by {n} from his father',
    'meanwhile', 'on the other hand', 'he went on to say', 'as {a} quoted {n}',
    'the ministry announced in a statement']
LA_LICENCE = ('all rights reserved no part of this content may be copied or republished '
              'without prior written permission')


class Lang:
    """Vocabulary and punctuation of one script."""

    def __init__(self, script, rng):
        self.script = script
        seen = set()
        head = []
        funcs = AR_FUNCTION if script == 'arabic' else LA_FUNCTION
        for w in funcs:
            k = ' '.join(normalize_tokens(w))
            if k and ' ' not in k and k not in seen:
                seen.add(k)
                head.append(w)
        tail = []
        while len(head) + len(tail) < VOCAB:
            w = self._random_word(rng)
            k = normalize_tokens(w)
            if len(k) != 1 or k[0] in seen:
                continue
            seen.add(k[0])
            tail.append(w)
        self.vocab = Zipf(head + tail)
        if script == 'arabic':
            self.comma, self.quotes = '،', ('«', '»')
            self.first, self.cities, self.agencies = AR_FIRST, AR_CITIES, AR_AGENCIES
            self.formulas, self.licence = AR_FORMULAS, AR_LICENCE
        else:
            self.comma, self.quotes = ',', ('"', '"')
            self.first, self.cities, self.agencies = LA_FIRST, LA_CITIES, LA_AGENCIES
            self.formulas, self.licence = LA_FORMULAS, LA_LICENCE

    def _random_word(self, rng):
        n = rng.choice((3, 4, 4, 5, 5, 5, 6, 6, 7))
        if self.script == 'latin':
            return ''.join(rng.choice(LA_LETTERS) for _ in range(n))
        w = ''.join(weighted(rng, AR_LETTERS) for _ in range(n))
        if rng.random() < 0.08:
            w = rng.choice('أإ') + w[1:]
        if rng.random() < 0.1:
            w = w[:-1] + rng.choice('ةى')
        if rng.random() < 0.25:
            w = 'ال' + w
        return w

    def words(self, rng, n):
        """n plain words as (pre, text, post) tuples."""
        return [('', self.vocab.draw(rng), '') for _ in range(n)]

    def name(self, rng):
        fam = self.vocab.items[rng.randrange(2000, VOCAB)]
        if self.script == 'arabic':
            return rng.choice(self.first) + ' ' + ('ال' + fam if not fam.startswith('ال') else fam)
        return rng.choice(self.first) + ' ' + fam

    def text(self, rng, n):
        """About n words of running text: sentences of 8-25 words with commas, each ending
        with a full stop. Returns a list of (pre, text, post)."""
        out = []
        while len(out) < n:
            k = rng.randint(8, 25)
            if n - len(out) - k < 8:
                k = n - len(out)
            sent = self.words(rng, k)
            for i in range(len(sent) - 1):
                if rng.random() < 0.06:
                    sent[i] = (sent[i][0], sent[i][1], self.comma)
            sent[-1] = (sent[-1][0], sent[-1][1], '.')
            if self.script == 'latin':
                p, t, q = sent[0]
                sent[0] = (p, t[:1].upper() + t[1:], q)
            out.extend(sent)
        return out

    def passage(self, rng, n):
        """A passage of n words, inner commas only (rendered identically wherever it is
        planted)."""
        ws = self.words(rng, n)
        for i in range(n - 1):
            if rng.random() < 0.07:
                ws[i] = (ws[i][0], ws[i][1], self.comma)
        return ws

    def formula(self, rng, template):
        """One stock phrase with its slots filled."""
        s = template
        while '{n}' in s:
            s = s.replace('{n}', self.name(rng), 1)
        s = s.replace('{c}', rng.choice(self.cities)).replace('{a}', rng.choice(self.agencies))
        return [('', w, '') for w in s.split()]


class DocBuilder:
    """A document as a flat list of words (pre, text, post) with paragraph breaks, and the
    word ranges of the passages planted in it."""

    def __init__(self, did, source):
        self.id = did
        self.source = source
        self.words = []
        self.breaks = set()
        self.marks = []  # (key, word start, word end)

    def para(self):
        if self.words:
            self.breaks.add(len(self.words))

    def add(self, words):
        self.words.extend(words)

    def plant(self, key, words, quote=None, end='.'):
        """Adds `words` as a passage (its own sentence), optionally inside quotation
        marks; returns its word range."""
        ws = list(words)
        pre, post = (quote or ('', ''))
        ws[0] = (pre + ws[0][0], ws[0][1], ws[0][2])
        ws[-1] = (ws[-1][0], ws[-1][1], post + end)
        a = len(self.words)
        self.words.extend(ws)
        self.marks.append((key, a, len(self.words)))
        return a, len(self.words)

    def mark(self, key, a, b):
        self.marks.append((key, a, b))

    def render(self):
        """(text, {key: [(start, end), ...]}) with UTF-8 byte offsets of word letters."""
        parts = []
        pos = 0
        starts, ends = [], []
        for i, (pre, t, post) in enumerate(self.words):
            if i:
                sep = '\n\n' if i in self.breaks else ' '
                parts.append(sep)
                pos += len(sep)
            parts.append(pre)
            pos += len(pre.encode())
            starts.append(pos)
            parts.append(t)
            pos += len(t.encode())
            ends.append(pos)
            parts.append(post)
            pos += len(post.encode())
        text = ''.join(parts)
        spans = {}
        for key, a, b in self.marks:
            spans.setdefault(key, []).append((starts[a], ends[b - 1]))
        return text, spans


def sources_list(n=20):
    return [f'site{k:02d}.example' for k in range(n)]


# ---------------------------------------------------------------------------
# kinds: each returns (docs, quotes, boilers)
#   quotes:  [(key, words)]            planted passages (truth "quote" lines)
#   boilers: [(key, words, source, kind)]  repeated non-news passages ("boilerplate" lines)
# ---------------------------------------------------------------------------

def gen_chain(lang, rng, scale):
    n = 200 * scale
    srcs = sources_list()
    docs = [DocBuilder(f'chain-{i:05d}', rng.choice(srcs)) for i in range(n)]
    ps = [lang.passage(rng, 30) for _ in range(n - 1)]
    quotes = [(('q', i), 30) for i in range(n - 1)]
    for i, d in enumerate(docs):
        d.add(lang.text(rng, rng.randint(30, 60)))
        if i > 0:
            d.plant(('q', i - 1), ps[i - 1], lang.quotes)
        gap = rng.choice((0, rng.randint(1, 8), rng.randint(30, 60)))
        if gap:
            d.add(lang.text(rng, gap))
        if gap > 8:
            d.para()
        if i < n - 1:
            d.plant(('q', i), ps[i], lang.quotes)
        d.add(lang.text(rng, rng.randint(30, 60)))
    return docs, quotes, []


def gen_sliding(lang, rng, scale):
    n = 200 * scale
    srcs = sources_list()
    t = lang.text(rng, 10 * (n - 1) + 30)
    docs = []
    for i in range(n):
        d = DocBuilder(f'sliding-{i:05d}', rng.choice(srcs))
        d.add(lang.text(rng, rng.randint(40, 80)))
        d.para()
        w = list(t[10 * i:10 * i + 30])
        w[-1] = (w[-1][0], w[-1][1], '.')
        a = len(d.words)
        d.add(w)
        d.para()
        d.add(lang.text(rng, rng.randint(40, 80)))
        # pair (i-1, i): window words 0..19; (i, i+1): 10..29; (i-2, i): 0..9; (i, i+2): 20..29
        if i >= 1:
            d.mark(('q', i - 1, i), a, a + 20)
        if i + 1 < n:
            d.mark(('q', i, i + 1), a + 10, a + 30)
        if i >= 2:
            d.mark(('q', i - 2, i), a, a + 10)
        if i + 2 < n:
            d.mark(('q', i, i + 2), a + 20, a + 30)
        docs.append(d)
    quotes = []
    for i in range(n):
        if i + 1 < n:
            quotes.append((('q', i, i + 1), 20))
        if i + 2 < n:
            quotes.append((('q', i, i + 2), 10))
    return docs, quotes, []


def gen_repeat(lang, rng, scale):
    n = 64 * scale
    srcs = sources_list()
    pool = [lang.passage(rng, 40) for _ in range(8)]
    docs = [DocBuilder(f'repeat-{i:05d}', rng.choice(srcs)) for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    partner = {}
    for k in range(0, n - 1, 2):
        partner[order[k]] = (k // 2, True)
        partner[order[k + 1]] = (k // 2, False)
    qtext = [lang.passage(rng, 25) for _ in range(n // 2)]
    for i, d in enumerate(docs):
        p = i % 8
        d.add(lang.text(rng, rng.randint(30, 60)))
        qat = rng.randrange(50)
        for r in range(50):
            d.para()
            d.plant(('b', p), pool[p])
            if r == qat and i in partner:
                g = rng.choice((0, rng.randint(5, 20)))
                if g:
                    d.add(lang.text(rng, g))
                d.plant(('q', partner[i][0]), qtext[partner[i][0]], lang.quotes)
            g = rng.choice((0, rng.randint(5, 20), rng.randint(5, 20), rng.randint(5, 20)))
            if g:
                d.add(lang.text(rng, g))
        d.para()
        d.add(lang.text(rng, rng.randint(30, 60)))
    quotes = [(('q', k), 25) for k in range(n // 2)]
    boilers = [(('b', p), 40, None, 'repeat') for p in range(8)]
    return docs, quotes, boilers


def plant_quotes(lang, rng, docs, count, lo, hi, kmin, kmax):
    """count quotes of lo..hi words, each planted in kmin..kmax distinct documents (in
    their body: after their first sentence)."""
    quotes = []
    for q in range(count):
        L = rng.randint(lo, hi)
        ws = lang.passage(rng, L)
        for d in rng.sample(docs, min(len(docs), rng.randint(kmin, kmax))):
            d.pending.append((('q', q), ws))
        quotes.append((('q', q), L))
    return quotes


def gen_boilerplate(lang, rng, scale):
    n = 1000 * scale
    srcs = sources_list()
    lic = [('', w, '') for w in lang.licence.split()]
    body = lang.text(rng, 300 - len(lic))
    lic = lic[:-1] + [(lic[-1][0], lic[-1][1], '.')] + body
    docs = [DocBuilder(f'boilerplate-{i:05d}', srcs[i % len(srcs)]) for i in range(n)]
    for d in docs:
        d.pending = []
    quotes = plant_quotes(lang, rng, docs, 10 * scale, 25, 60, 2, 2)
    for d in docs:
        at_start = rng.random() < 0.2
        if at_start:
            d.plant(('b', 0), lic)
            d.para()
        own = rng.randint(170, 230)
        head = rng.randint(20, own - 20)
        d.add(lang.text(rng, head))
        for key, ws in d.pending:
            d.plant(key, ws, lang.quotes)
        d.add(lang.text(rng, own - head))
        if not at_start:
            d.para()
            d.plant(('b', 0), lic)
    return docs, quotes, [(('b', 0), len(lic), None, 'licence')]


def gen_formulaic(lang, rng, scale):
    n = 2000 * scale
    srcs = sources_list()
    docs = [DocBuilder(f'formulaic-{i:05d}', rng.choice(srcs)) for i in range(n)]
    for d in docs:
        d.pending = []
    quotes = plant_quotes(lang, rng, docs, 60 * scale, 25, 60, 2, 10)
    for d in docs:
        ks = rng.sample(range(len(lang.formulas)), rng.randint(3, 6))
        for j, k in enumerate(ks):
            ws = lang.formula(rng, lang.formulas[k])
            d.plant(('b', k), ws, end=':' if j == len(ks) - 1 else lang.comma)
        own = rng.randint(80, 150)
        head = rng.randint(8, own - 8)
        d.add(lang.text(rng, head))
        for key, ws in d.pending:
            d.plant(key, ws, lang.quotes)
        d.add(lang.text(rng, own - head))
    boilers = [(('b', k), None, None, 'formula') for k in range(len(lang.formulas))]
    return docs, quotes, boilers


GENERATORS = {'chain': gen_chain, 'sliding': gen_sliding, 'repeat': gen_repeat,
              'boilerplate': gen_boilerplate, 'formulaic': gen_formulaic}


def generate(out, kind, scale=1, seed=1, script='arabic', quiet=False):
    """Writes out/corpus.jsonl and out/truth.jsonl for one kind; returns a summary dict."""
    t0 = time.time()
    rng = random.Random(seed)
    lang = Lang(script, rng)
    docs, quotes, boilers = GENERATORS[kind](lang, rng, scale)
    texts, spans = {}, {}
    for d in docs:
        texts[d.id], spans[d.id] = d.render()
    occ = {}
    for d in docs:
        for key, sp in spans[d.id].items():
            occ.setdefault(key, []).extend({'doc': d.id, 'start': a, 'end': b} for a, b in sp)
    os.makedirs(out, exist_ok=True)
    nbytes = nwords = 0
    with open(os.path.join(out, 'corpus.jsonl'), 'w', encoding='utf-8') as f:
        for d in docs:
            f.write(json.dumps({'id': d.id, 'text': texts[d.id], 'source': d.source,
                                'url': f'https://{d.source}/{d.id}'}, ensure_ascii=False) + '\n')
            nbytes += len(texts[d.id].encode())
            nwords += len(d.words)
    nocc = 0
    with open(os.path.join(out, 'truth.jsonl'), 'w', encoding='utf-8') as f:
        for d in docs:
            f.write(json.dumps({'id': d.id, 'family': d.id, 'kind': 'original', 'edit_rate': 0.0,
                                'source': d.source, 'adversarial': kind}) + '\n')
        for qid, (key, words) in enumerate(quotes):
            oc = occ.get(key, [])
            if len(oc) < 2:
                continue
            nocc += len(oc)
            f.write(json.dumps({'quote': qid, 'occurrences': oc, 'words': words,
                                'change_rate': 0.0, 'change_target': 0.0, 'origin': 'planted',
                                'source_doc': oc[0]['doc'], 'adversarial': kind}) + '\n')
        for bid, (key, words, source, bkind) in enumerate(boilers):
            oc = occ.get(key, [])
            if len(oc) < 2:
                continue
            if words is None:  # formulas: length varies with the names; the shortest
                words = min(len(normalize_tokens(texts[o['doc']].encode()[o['start']:o['end']]
                                                 .decode())) for o in oc)
            f.write(json.dumps({'boilerplate': bid, 'source': source, 'words': words,
                                'occurrences': oc, 'kind': bkind}, ensure_ascii=False) + '\n')
    summary = {'kind': kind, 'docs': len(docs), 'quotes': len(quotes), 'occurrences': nocc,
               'words': nwords, 'bytes': nbytes, 'seconds': round(time.time() - t0, 2)}
    if not quiet:
        print(f'gen_adversarial: {kind} {script} scale={scale} seed={seed}: {len(docs)} docs, '
              f'{len(quotes)} planted passages ({nocc} occurrences), {len(boilers)} repeated '
              f'non-news passages, {nwords} words, {nbytes / 1e6:.1f} MB -> {out} '
              f'({summary["seconds"]:.1f}s)')
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='output directory')
    ap.add_argument('--kind', required=True, choices=KINDS + ('all',))
    ap.add_argument('--scale', type=int, default=1, help='size multiplier (default 1)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--script', choices=('arabic', 'latin'), default='arabic')
    a = ap.parse_args(argv)
    if a.scale < 1:
        ap.error('--scale must be at least 1')
    kinds = KINDS if a.kind == 'all' else (a.kind,)
    for k in kinds:
        generate(os.path.join(a.out, k) if a.kind == 'all' else a.out, k, a.scale, a.seed,
                 a.script)
    return 0


if __name__ == '__main__':
    sys.exit(main())
