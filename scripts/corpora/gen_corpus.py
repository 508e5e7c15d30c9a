#!/usr/bin/env python3
"""Generate a realistic synthetic news corpus with known near-duplicates and planted quotes.

    python3 scripts/corpora/gen_corpus.py --out DIR [--script arabic|latin] [--originals N]
                                          [--seed S] [--quotes Q] [--stats]

Writes
  DIR/corpus.jsonl  {"id", "text", "source", "url", "date"} per document (shuffled order)
  DIR/truth.jsonl   one line per document:
                      {"id", "family", "kind": original|exact|edit|related, "edit_rate",
                       "edit_target"?, "related_to"?, "source"}
                    one line per shared passage (planted quote, or a sentence a `related`
                    document took from its original):
                      {"quote", "occurrences": [{"doc", "start", "end"}], "words",
                       "change_rate", "change_target", "origin": planted|related,
                       "source_doc"}
                    one line per site-template passage (header / footer of a source):
                      {"boilerplate", "source", "occurrences", "words"}
                    Offsets are UTF-8 byte offsets, half-open, into the document text as
                    written; a span starts at the first letter of its first word and ends
                    after the last letter of its last word (quotation marks excluded).

Families: an original and its `exact` / `edit` variants form one family (true
near-duplicates). A `related` document (same event, mostly new text, 0-2 sentences taken
from the original) is its own family: a hard negative for clustering, and its shared
sentences are passages in the truth.

Variants inherit the passages of the document they copy (occurrences are listed for every
document that contains the passage). Edits never touch a passage, so each occurrence is
the whole passage.

Deterministic for a given seed: only random.Random(seed) is used.
"""
import argparse
import bisect
import glob
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402
from eval.normalizer import normalize_tokens, shingles, jaccard  # noqa: E402

SEEDS_DIR = os.path.join(ROOT, 'seeds')

# placeholders in Word.pre / Word.post / Word.text, mapped at render time
OPEN_Q, CLOSE_Q, APOS = '\x01', '\x02', '\x03'


class Word:
    __slots__ = ('text', 'pre', 'post', 'tags')

    def __init__(self, text, pre='', post='', tags=()):
        self.text = text
        self.pre = pre
        self.post = post
        self.tags = tags

    def copy(self):
        return Word(self.text, self.pre, self.post, self.tags)


def copy_sents(sents):
    return [[w.copy() for w in s] for s in sents]


class Doc:
    def __init__(self, **kw):
        self.id = None
        self.header = []   # sentences (one paragraph), boilerplate
        self.body = []     # paragraphs -> sentences -> words; body[0] is the title
        self.footer = []   # sentences (one paragraph), boilerplate
        self.related_to = None
        self.edit_target = None
        self.edit_rate = 0.0
        self.__dict__.update(kw)

    def body_words(self):
        return sum(len(s) for p in self.body for s in p)


class Zipf:
    """Zipf-Mandelbrot sampler over a ranked list: p(r) ~ 1 / (r + q)^s."""

    def __init__(self, items, s=1.05, q=2.7):
        self.items = items
        acc, cum = 0.0, []
        for r in range(len(items)):
            acc += 1.0 / (r + 1 + q) ** s
            cum.append(acc)
        self.cum = cum
        self.total = acc

    def draw(self, rng):
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.total)]


def fold(t):
    return ' '.join(normalize_tokens(t))


# ---------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------

AR_FUNCTION = ('في من على إلى أن عن مع التي الذي بين هذا هذه كما ذلك قد لا ما كان إن '
               'وقال خلال حيث أو بعد قبل وفي منذ ضد عبر لدى حول إذ تم أي كل الى غير '
               'وأن ثم بها له لها فيه عند أكثر نحو').split()
AR_OPENERS = ('وقال وأضاف وأكد وأوضح وأشار وتابع ولفت وبين وأعلن وذكر وشدد وكشف ونقلت '
              'واعتبر').split()
AR_STOCK = [
    'وزير الخارجية الروسي سيرغي لافروف', 'تعزيز العلاقات الثنائية بين البلدين',
    'في وقت سابق', 'وفقا لما ذكرته وكالة', 'في بيان صحفي', 'خلال مؤتمر صحفي مشترك',
    'رئيس الوزراء العراقي مصطفى الكاظمي', 'على هامش زيارته', 'بحسب ما أفادت مصادر مطلعة',
    'في تصريح خاص', 'المتحدث باسم وزارة الخارجية', 'من جهة أخرى', 'في الوقت ذاته',
    'وأشار إلى أن', 'في العاصمة الروسية موسكو', 'مجلس الأمن الدولي',
    'الأمين العام للأمم المتحدة', 'المجتمع الدولي', 'على حد قوله',
    'وزير الخارجية العراقي فؤاد حسين', 'مكافحة الإرهاب والتطرف', 'منطقة الشرق الأوسط',
    'في المجالات كافة', 'وتابع قائلا', 'حسبما نقلت وكالة الأنباء', 'الرئيس الروسي فلاديمير بوتين',
    'نائب رئيس الحكومة الروسية', 'وقالت الوزارة في بيان', 'ولفت إلى أن', 'بحسب وسائل إعلام محلية',
    'في ظل الظروف الراهنة', 'على الصعيدين الإقليمي والدولي', 'بما يخدم مصالح الشعبين',
    'في إطار الجهود المبذولة', 'وسط تصاعد التوترات في المنطقة', 'في حديث لوسائل الإعلام',
    'التعاون المشترك في مجال', 'خلال الأيام المقبلة', 'في اتصال هاتفي', 'الأسبوع الماضي',
]
AR_SOURCES = ['alsumaria.example', 'almasalah.example', 'elaph.example', 'almustakilla.example',
              'youm7.example', 'alarabiya.example', 'aljazeera.example', 'rudaw.example',
              'shafaq.example', 'baghdadtoday.example', 'alsabaah.example', 'asharqalawsat.example',
              'alquds.example', 'annahar.example', 'ahram.example', 'hespress.example',
              'almayadeen.example', 'skynewsarabia.example', 'arabic-rt.example',
              'independentarabia.example']
AR_EGYPTIAN = {'youm7.example', 'ahram.example'}  # final ي written ى
AR_HEADER = ['الرئيسية', 'أخبار', 'سياسة', 'عربي ودولي', 'اخر الاخبار', 'محليات', 'تقارير']
AR_FOOTER = ['تابعونا على مواقع التواصل الاجتماعي', 'جميع الحقوق محفوظة', 'لمتابعة آخر الأخبار',
             'اشترك في النشرة البريدية', 'اقرأ أيضا', 'المقالات المنشورة تعبر عن رأي كاتبيها',
             'حمل تطبيق الموقع على هاتفك']
AR_ATTRIB = ['وقال {e}', 'وقال {e} إن', 'وأكد {e} أن', 'ونقلت وكالة الأنباء عن {e} قوله',
             'وأضاف {e}', 'وصرح {e} بأن', 'وجاء في البيان']
# root consonants with rough Arabic letter frequencies (percent)
AR_CONS = [('ل', 11), ('م', 7), ('ن', 6), ('ت', 5.5), ('ر', 5), ('ب', 4.5), ('ع', 4), ('ي', 3),
           ('و', 3), ('ه', 2.5), ('د', 3), ('س', 3), ('ق', 2.5), ('ف', 2.5), ('ك', 2.3), ('ح', 2),
           ('ج', 1.5), ('ش', 1.2), ('ص', 1.1), ('ط', 1), ('خ', 0.9), ('ز', 0.7), ('ث', 0.6),
           ('ض', 0.6), ('غ', 0.5), ('ذ', 0.5), ('ظ', 0.2)]
AR_PATTERNS = ['{a}{b}{c}', '{a}ا{b}{c}', 'م{a}{b}و{c}', 'ت{a}{b}ي{c}', 'است{a}{b}ا{c}',
               '{a}{b}ا{c}', '{a}{b}ي{c}', 'م{a}{b}{c}', 'م{a}ا{b}{c}', 'ان{a}{b}ا{c}',
               'ا{a}ت{b}ا{c}', 'إ{a}{b}ا{c}', 'أ{a}{b}{c}', 'ت{a}ا{b}{c}', 'م{a}ت{b}{c}',
               '{a}{b}{c}ي', '{a}{b}{c}ى', 'م{a}{b}{c}ي', '{a}و{b}{c}', 'ي{a}{b}{c}',
               'ي{a}ا{b}{c}', 'م{a}{b}ا{c}', '{a}{b}{c}اء']
AR_PREFIXES = [('', 10), ('ال', 8), ('و', 3), ('وال', 3), ('ب', 2), ('بال', 2), ('ل', 1.5),
               ('لل', 1.5), ('ف', 0.5), ('فال', 0.3)]
AR_SUFFIXES = [('', 10), ('ة', 4), ('ات', 2), ('ون', 1), ('ين', 1.5), ('ي', 1.5), ('ية', 2),
               ('ها', 1), ('هم', 0.5)]
AR_NAME_SYL = ['ك', 'م', 'ر', 'س', 'ن', 'ل', 'ب', 'ف', 'ت', 'د', 'ج', 'ح', 'ش', 'ز', 'ي', 'غ', 'ق']
AR_NAME_VOW = ['ا', 'و', 'ي', '', '']
AR_NAME_END = ['وف', 'ي', 'ان', '', 'ين', 'سكي', 'يل']

HARAKAT = [chr(c) for c in range(0x064B, 0x0653)]
NONJOIN = set('ادذرزوةأإآؤىء')
INDIC = str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩')
HAMZA_STRIP = str.maketrans({'أ': 'ا', 'إ': 'ا', 'آ': 'ا'})


def weighted(rng, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.random() * tot
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


class Lang:
    """Shared sentence/article machinery; subclasses provide words and rendering."""
    script = None
    comma = ','
    p_topic, p_entity, p_number, p_comma = 0.10, 0.035, 0.012, 0.06
    p_stock, p_opener, p_quoted = 0.22, 0.35, 0.08

    def word(self, rng):
        return self.vocab.draw(rng)

    def other_word(self, rng, text):
        f = fold(text)
        while True:
            w = self.word(rng)
            if fold(w) != f:
                return w

    def number(self, rng):
        r = rng.random()
        if r < 0.4:
            return str(rng.randint(2005, 2023)), ''
        if r < 0.7:
            return str(rng.randint(2, 99)), ''
        if r < 0.85:
            return str(rng.randint(100, 99999)), ''
        return str(rng.randint(1, 95)), '%'

    def make_topic(self, rng):
        ents = [self.name(rng) for _ in range(rng.randint(4, 8))]
        nouns = [self.vocab.items[rng.randrange(150, min(3000, len(self.vocab.items)))]
                 for _ in range(rng.randint(12, 25))]
        return {'entities': ents, 'nouns': nouns}

    def raw_words(self, rng, topic, n):
        """n plain Word objects (no opener, no final punctuation)."""
        out = []
        for _ in range(n):
            r = rng.random()
            if r < self.p_topic:
                t = rng.choice(topic['nouns'])
            elif r < self.p_topic + self.p_entity:
                t = rng.choice(topic['entities'])
            elif r < self.p_topic + self.p_entity + self.p_number:
                t, post = self.number(rng)
                out.append(Word(t, post=post))
                continue
            else:
                t = self.word(rng)
            out.append(Word(t))
        return out

    def sentence(self, rng, topic, n):
        words = []
        if rng.random() < self.p_opener:
            words += self.opener_words(rng)
        stock = None
        if rng.random() < self.p_stock:
            stock = self.stock.draw(rng).split()
        rest = max(1, n - len(words) - (len(stock) if stock else 0))
        words += self.raw_words(rng, topic, rest)
        if stock:
            k = rng.randint(1 if words else 0, len(words))
            words[k:k] = [Word(t) for t in stock]
        for w in words[:-1]:
            if not w.post and rng.random() < self.p_comma:
                w.post = self.comma
        if len(words) > 4 and rng.random() < self.p_quoted:
            k = rng.randint(1, min(4, len(words) - 3))
            words[k].pre = OPEN_Q
            words[-1].post = CLOSE_Q
            if words[k - 1].post == self.comma:
                words[k - 1].post = ''
        self.finish_sentence(words)
        return words

    def finish_sentence(self, words):
        words[-1].post = words[-1].post + '.'

    def sentence_length(self, rng, lo=8, hi=35):
        return max(lo, min(hi, int(rng.triangular(lo, hi, 17))))

    def article(self, rng, topic, target=None):
        if target is None:
            target = int(round(math.exp(rng.gauss(math.log(380), 0.45))))
            target = max(150, min(890, target))
        title = self.title(rng, topic)
        body = [[title]]
        total = len(title)
        while total < target:
            para = []
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
                n = self.sentence_length(rng)
                left = target - total
                if left <= 0:
                    break
                if n > left:
                    n = max(8, left)
                para.append(self.sentence(rng, topic, n))
                total += n
            if para:
                body.append(para)
            else:
                break
        if len(body) < 2:  # always at least one body paragraph
            body.append([self.sentence(rng, topic, 12)])
        return body

    def title(self, rng, topic):
        n = rng.randint(6, 14)
        ws = [Word(rng.choice(topic['entities']))] + self.raw_words(rng, topic, n - 1)
        rng.shuffle(ws)
        return ws

    def attribution(self, rng, topic):
        """Words introducing a quotation, e.g. 'وقال X إن' or 'X told reporters:'."""
        tpl = rng.choice(self.attribs)
        out = []
        for t in tpl.replace('{e}', rng.choice(topic['entities'])).split():
            if t[-1] in ',:':
                out.append(Word(t[:-1], post=t[-1]))
            else:
                out.append(Word(t))
        return out


class Arabic(Lang):
    script = 'arabic'
    comma = '،'

    def __init__(self, rng):
        self.sources = list(AR_SOURCES)
        self.attribs = AR_ATTRIB
        # real words from the seed articles, one spelling per folded form (the commonest)
        spell = {}
        counts = Counter()
        for path in sorted(glob.glob(os.path.join(SEEDS_DIR, '*.txt'))):
            with open(path, encoding='utf-8') as f:
                txt = f.read()
            txt = re.sub('[\u064B-\u065F\u0670\u0640]', '', txt)
            for w in re.findall('[\u0621-\u064A]+', txt):
                if len(w) < 2:
                    continue
                k = fold(w)
                counts[k] += 1
                spell.setdefault(k, Counter())[w] += 1
        seen = set()
        head = []
        for w in AR_FUNCTION:
            k = fold(w)
            if k not in seen:
                seen.add(k)
                head.append(w)
        seed_words = []
        for k, _ in counts.most_common():
            if k not in seen:
                seen.add(k)
                seed_words.append(spell[k].most_common(1)[0][0])
        # synthetic root-and-pattern words with clitics
        synth = []
        tries = 0
        while len(synth) < 4200 and tries < 100000:
            tries += 1
            a, b, c = (weighted(rng, AR_CONS) for _ in range(3))
            if a == b == c:
                continue
            base = rng.choice(AR_PATTERNS).format(a=a, b=b, c=c)
            pre = weighted(rng, AR_PREFIXES)
            suf = weighted(rng, AR_SUFFIXES)
            if base[-1] in 'يىاء' and suf:
                suf = ''
            if pre.endswith('ال') and suf in ('ها', 'هم'):
                suf = ''
            w = pre + base + suf
            k = fold(w)
            if k in seen or len(k) < 2 or re.search(r'(.)\1\1', w):
                continue
            seen.add(k)
            synth.append(w)
        tail = seed_words[40:] + synth
        rng.shuffle(tail)
        ranked = head + seed_words[:40] + tail
        self.vocab = Zipf(ranked)
        self.stock = Zipf(list(AR_STOCK), s=0.9, q=1.0)
        self.openers = AR_OPENERS

    def opener_words(self, rng):
        return [Word(rng.choice(self.openers))]

    def name(self, rng):
        while True:
            n = ''.join(rng.choice(AR_NAME_SYL) + rng.choice(AR_NAME_VOW)
                        for _ in range(rng.randint(2, 3))) + rng.choice(AR_NAME_END)
            if len(n) >= 4 and n[0] not in 'ي':
                return n

    # -- styles and rendering --------------------------------------------------
    def make_style(self, rng, source):
        return {
            'quotes': rng.choice([('«', '»'), ('“', '”'), ('"', '"'), ('«', '»')]),
            'ya_maqsura': 0.9 if source in AR_EGYPTIAN else rng.choice([0.0, 0.0, 0.02]),
            'maqsura_ya': rng.choice([0.0, 0.0, 0.05]),
            'hamza_strip': rng.choice([0.0, 0.05, 0.2, 0.6]),
            'hamza_add': rng.choice([0.0, 0.0, 0.03]),
            'ta_ha': rng.choice([0.0, 0.0, 0.01]),
            'harakat': rng.choice([0.0, 0.0, 0.01]),
            'tanween': rng.choice([0.3, 0.8]),
            'tatweel': rng.choice([0.0, 0.0, 0.003]),
            'zwnj': 0.0,
            'lamalef': 0.0,
            'indic': rng.random() < 0.3,
            'nbsp': rng.choice([0.0, 0.0, 0.0, 0.03]),
        }

    def noisy_style(self, rng, style):
        """The republisher's style plus copy-paste damage: used for exact variants."""
        st = dict(style)
        st['harakat'] = max(st['harakat'], rng.choice([0.0, 0.02, 0.05]))
        st['tatweel'] = max(st['tatweel'], rng.choice([0.0, 0.005, 0.02]))
        st['zwnj'] = rng.choice([0.0, 0.002, 0.01])
        st['hamza_strip'] = rng.choice([st['hamza_strip'], 0.5, 1.0])
        st['hamza_add'] = rng.choice([st['hamza_add'], 0.05])
        st['ta_ha'] = rng.choice([st['ta_ha'], 0.1, 0.5])
        st['ya_maqsura'] = rng.choice([st['ya_maqsura'], 0.3, 1.0])
        st['maqsura_ya'] = rng.choice([st['maqsura_ya'], 0.5])
        st['nbsp'] = rng.choice([st['nbsp'], 0.0, 0.1])
        st['lamalef'] = rng.choice([0.0, 0.0, 0.1])
        if rng.random() < 0.5:
            st['quotes'] = rng.choice([('«', '»'), ('“', '”'), ('"', '"')])
        if rng.random() < 0.5:
            st['indic'] = not st['indic']
        return st

    def force_style(self, style):
        st = dict(style)
        st['harakat'] = 0.2
        st['tatweel'] = 0.05
        return st

    def render_text(self, t, st, rng, in_title):
        if t[0].isdigit():
            return t.translate(INDIC) if st['indic'] else t
        if st['hamza_strip'] and rng.random() < st['hamza_strip']:
            t = t.translate(HAMZA_STRIP)
        elif (st['hamza_add'] and t[0] == 'ا' and not t.startswith('ال')
              and rng.random() < st['hamza_add']):
            t = rng.choice('أإ') + t[1:]
        last = t[-1]
        if last == 'ة':
            if st['ta_ha'] and rng.random() < st['ta_ha']:
                t = t[:-1] + 'ه'
        elif last == 'ي':
            if st['ya_maqsura'] and rng.random() < st['ya_maqsura']:
                t = t[:-1] + 'ى'
        elif last == 'ى':
            if st['maqsura_ya'] and rng.random() < st['maqsura_ya']:
                t = t[:-1] + 'ي'
        elif last == 'ا' and len(t) > 3 and rng.random() < 0.05 * st['tanween']:
            t = t + 'ً'
        if st['tatweel'] and len(t) >= 3 and rng.random() < st['tatweel']:
            # kashida between two letters, after a letter that joins to the left
            i = rng.randint(1, len(t) - 1)
            if t[i - 1] not in NONJOIN:
                t = t[:i] + '\u0640' * rng.randint(1, 3) + t[i:]
        if st['harakat'] and rng.random() < st['harakat']:
            i = rng.randint(1, len(t))
            while i < len(t) and t[i] == '\u0640':
                i += 1
            t = t[:i] + rng.choice(HARAKAT) + t[i:]
        if st['zwnj'] and len(t) >= 3 and rng.random() < st['zwnj']:
            i = rng.randint(1, len(t) - 1)
            t = t[:i] + '\u200c' + t[i:]
        if st['lamalef'] and 'لا' in t and rng.random() < st['lamalef']:
            t = t.replace('لا', '\ufefb', 1)
        return t

    def space(self, st, rng):
        return '\u00a0' if st['nbsp'] and rng.random() < st['nbsp'] else ' '

    def para_sep(self, st, rng):
        return '\n\n'

    def punct(self, s, st):
        return s.replace(OPEN_Q, st['quotes'][0]).replace(CLOSE_Q, st['quotes'][1])

    def boilerplate(self, rng):
        header = None
        if rng.random() < 0.5:
            parts = rng.sample(AR_HEADER, rng.randint(2, 3))
            ws = []
            for i, p in enumerate(parts):
                pw = [Word(t) for t in p.split()]
                if i < len(parts) - 1:
                    pw[-1].post = ' /'
                ws += pw
            header = ws
        fparts = rng.sample(AR_FOOTER, rng.randint(2, 3))
        footer = []
        for p in fparts:
            pw = [Word(t) for t in p.split()]
            pw[-1].post = '.'
            footer += pw
        return header, footer


LA_FUNCTION = ('the of and to in a said that for on is was with by as at from he it his be '
               'has have are not an were this which after will its their who would had but '
               'also been they over more or than two new first last year government minister '
               'president told officials country week people could about into other one '
               'three since we out up between when there all while some against').split()
LA_OPENERS = ['However', 'Meanwhile', 'In addition', 'On Monday', 'On Tuesday', 'On Thursday',
              'Earlier', 'Separately', 'According to officials', 'Last week']
LA_STOCK = [
    'the foreign minister said', 'strengthening bilateral relations between the two countries',
    'earlier this week', 'according to a statement from', 'in a press conference',
    'told reporters on', 'the United Nations Security Council', 'a spokesman for the ministry said',
    'on the sidelines of the summit', 'in a telephone call', 'the international community',
    'in recent years', 'at the same time', 'on the other hand', 'the prime minister',
    'local media reported', 'in the coming days', 'the fight against terrorism',
    'in the Middle East', 'in all fields', 'said in a statement', 'last month',
    'state news agency reported', 'it was not immediately clear', 'did not respond to a request for comment',
]
LA_SOURCES = ['dailyherald.example', 'morningpost.example', 'thecourier.example', 'newswire.example',
              'globalreport.example', 'citytimes.example', 'theobserver.example', 'capitalnews.example',
              'eveningstar.example', 'thechronicle.example', 'worlddesk.example', 'thegazette.example',
              'pressagency.example', 'metrodaily.example', 'theledger.example', 'nationaljournal.example',
              'coastalnews.example', 'thesentinel.example', 'harbortimes.example', 'frontpage.example']
LA_HEADER = ['Home', 'News', 'World', 'Politics', 'Middle East', 'Latest']
LA_FOOTER = ['Follow us on social media', 'All rights reserved', 'Sign up for our newsletter',
             'Read more', 'Opinions expressed are those of the authors', 'Download our app']
LA_ATTRIB = ['{e} said:', '{e} told reporters:', 'In a statement, {e} said:', '{e} added:',
             'According to {e},', 'The statement read:']
LA_ONSET = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z',
            'br', 'cr', 'dr', 'st', 'tr', 'pl', 'gr', 'ch', 'sh', 'th', '', '']
LA_VOWEL = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'ai', 'ea', 'ou', 'io', 'y']
LA_CODA = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck', 'ng']


class Latin(Lang):
    script = 'latin'
    comma = ','

    def __init__(self, rng):
        self.sources = list(LA_SOURCES)
        self.attribs = LA_ATTRIB
        seen = set()
        head = []
        for w in LA_FUNCTION:
            if w not in seen:
                seen.add(w)
                head.append(w)
        synth = []
        while len(synth) < 4500:
            n = rng.choice((1, 1, 1, 2, 2, 2, 2, 3, 3, 4))
            w = ''.join(rng.choice(LA_ONSET) + rng.choice(LA_VOWEL) +
                        (rng.choice(LA_CODA) if rng.random() < 0.5 else '')
                        for _ in range(n))
            if rng.random() < 0.02:
                w += APOS + 's'
            if len(w) < 2 or w in seen:
                continue
            seen.add(w)
            synth.append(w)
        self.vocab = Zipf(head + synth)
        self.stock = Zipf(list(LA_STOCK), s=0.9, q=1.0)

    def opener_words(self, rng):
        ws = [Word(t) for t in rng.choice(LA_OPENERS).split()]
        ws[-1].post = ','
        return ws

    def name(self, rng):
        def part():
            w = ''.join(rng.choice(LA_ONSET) + rng.choice(LA_VOWEL) + rng.choice(LA_CODA)
                        for _ in range(rng.randint(2, 3)))
            return w[:1].upper() + w[1:]
        return part() if rng.random() < 0.5 else part() + ' ' + part()

    def raw_words(self, rng, topic, n):
        out = []
        for w in Lang.raw_words(self, rng, topic, n):
            if ' ' in w.text:  # two-word names
                a, b = w.text.split(' ', 1)
                out += [Word(a), Word(b)]
            else:
                out.append(w)
        return out[:n] if len(out) > n else out

    def sentence(self, rng, topic, n):
        words = Lang.sentence(self, rng, topic, n)
        # stock phrases are split by Lang.sentence already; two-word names by raw_words
        flat = words
        t = flat[0].text
        flat[0].text = t[:1].upper() + t[1:]
        return flat

    def title(self, rng, topic):
        ws = Lang.title(self, rng, topic)
        flat = []
        for w in ws:
            flat += [Word(p) for p in w.text.split(' ')]
        flat[0].text = flat[0].text[:1].upper() + flat[0].text[1:]
        return flat

    # -- styles and rendering --------------------------------------------------
    def make_style(self, rng, source):
        curly = rng.random() < 0.6
        return {
            'quotes': ('“', '”') if curly else ('"', '"'),
            'apos': '’' if curly else "'",
            'case': 0.0,
            'title_upper': False,
            'double_space': 0.0,
            'para': '\n\n',
            'nbsp': 0.0,
        }

    def noisy_style(self, rng, style):
        st = dict(style)
        curly = rng.random() < 0.5
        st['quotes'] = ('“', '”') if curly else ('"', '"')
        st['apos'] = rng.choice(['’', "'"])
        st['case'] = rng.choice([0.0, 0.01, 0.03])
        st['title_upper'] = rng.random() < 0.3
        st['double_space'] = rng.choice([0.0, 0.02, 0.05])
        st['para'] = rng.choice(['\n\n', '\n\n', '\n\n\n', ' \n\n', '\n \n'])
        st['nbsp'] = rng.choice([0.0, 0.0, 0.01])
        return st

    def force_style(self, style):
        st = dict(style)
        st['case'] = 0.1
        st['double_space'] = 0.05
        return st

    def render_text(self, t, st, rng, in_title):
        if APOS in t:
            t = t.replace(APOS, st['apos'])
        if in_title and st['title_upper']:
            return t.upper()
        if st['case'] and rng.random() < st['case']:
            t = rng.choice((t.upper(), t.lower(), t[:1].upper() + t[1:]))
        return t

    def space(self, st, rng):
        if st['double_space'] and rng.random() < st['double_space']:
            return '  '
        if st['nbsp'] and rng.random() < st['nbsp']:
            return '\u00a0'
        return ' '

    def para_sep(self, st, rng):
        return st['para']

    def punct(self, s, st):
        return s.replace(OPEN_Q, st['quotes'][0]).replace(CLOSE_Q, st['quotes'][1])

    def finish_sentence(self, words):
        words[-1].post = words[-1].post + '.'

    def boilerplate(self, rng):
        header = None
        if rng.random() < 0.5:
            parts = rng.sample(LA_HEADER, rng.randint(2, 3))
            header = []
            for i, p in enumerate(parts):
                pw = [Word(t) for t in p.split()]
                if i < len(parts) - 1:
                    pw[-1].post = ' >'
                header += pw
        footer = []
        for p in rng.sample(LA_FOOTER, rng.randint(2, 3)):
            pw = [Word(t) for t in p.split()]
            pw[-1].post = '.'
            footer += pw
        return header, footer


# ---------------------------------------------------------------------------
# Rendering with offsets
# ---------------------------------------------------------------------------

def render(doc, lang, style, rng):
    """Text of `doc` and, for every tag, (start, end) byte span of its words."""
    pieces = []
    pos = 0
    spans = {}  # tag -> [start, end, first_index, last_index, count]
    paras = []
    if doc.header:
        paras.append((doc.header, False))
    for i, p in enumerate(doc.body):
        paras.append((p, i == 0))
    if doc.footer:
        paras.append((doc.footer, False))
    idx = 0
    first = True
    for p, is_title in paras:
        if not first:
            s = lang.para_sep(style, rng)
            pieces.append(s)
            pos += len(s.encode())
        first_in_para = True
        for sent in p:
            for w in sent:
                if not first_in_para:
                    s = lang.space(style, rng)
                    pieces.append(s)
                    pos += len(s.encode())
                first_in_para = False
                first = False
                if w.pre:
                    s = lang.punct(w.pre, style)
                    pieces.append(s)
                    pos += len(s.encode())
                t = lang.render_text(w.text, style, rng, is_title)
                start = pos
                pieces.append(t)
                pos += len(t.encode())
                for tag in w.tags:
                    sp = spans.get(tag)
                    if sp is None:
                        spans[tag] = [start, pos, idx, idx, 1]
                    else:
                        sp[1] = pos
                        sp[3] = idx
                        sp[4] += 1
                if w.post:
                    s = lang.punct(w.post, style)
                    pieces.append(s)
                    pos += len(s.encode())
                idx += 1
    for tag, sp in spans.items():
        if sp[3] - sp[2] + 1 != sp[4]:
            raise AssertionError(f'tag {tag} not contiguous in {doc.id}')
    return ''.join(pieces), {t: (sp[0], sp[1]) for t, sp in spans.items()}


# ---------------------------------------------------------------------------
# Document operations
# ---------------------------------------------------------------------------

def flat_sentences(doc):
    """[(pi, si)] of the body sentences after the title."""
    return [(pi, si) for pi in range(1, len(doc.body)) for si in range(len(doc.body[pi]))]


def boundaries(doc):
    """Valid insertion points (pi, si, new_paragraph) after the title that do not split a
    tagged passage: inserting before sentence si of paragraph pi, or (new_paragraph) a new
    paragraph before paragraph pi."""
    fs = flat_sentences(doc)
    out = []
    for k in range(len(fs) + 1):
        prev = doc.body[fs[k - 1][0]][fs[k - 1][1]][-1] if k > 0 else None
        nxt = doc.body[fs[k][0]][fs[k][1]][0] if k < len(fs) else None
        if prev is not None and nxt is not None and set(prev.tags) & set(nxt.tags):
            continue
        if k < len(fs):
            pi, si = fs[k]
            out.append((pi, si, False))
            if si == 0:
                out.append((pi, 0, True))
        else:
            out.append((len(doc.body), 0, True))
            if fs:
                pi, si = fs[-1]
                out.append((pi, si + 1, False))
    return out


def insert_sentences(doc, sents, rng):
    pi, si, newpara = rng.choice(boundaries(doc))
    if newpara:
        doc.body.insert(pi, sents)
    else:
        doc.body[pi][si:si] = sents


def split_sentences(words):
    sents, cur = [], []
    for w in words:
        cur.append(w)
        if '.' in w.post:
            sents.append(cur)
            cur = []
    if cur:
        sents.append(cur)
    return sents


def change_words(words, rate, lang, rng, tag):
    """Apply round(rate * len) word changes (substitute / insert / delete) strictly inside
    `words` (first and last word kept). Returns the number of changes."""
    n = len(words)
    k = int(round(rate * n))
    done = 0
    for _ in range(k * 4):
        if done >= k:
            break
        r = rng.random()
        if r < 0.7 or len(words) < 4:
            i = rng.randint(1, len(words) - 2) if len(words) > 2 else 0
            w = words[i]
            if w.text[0].isdigit():
                continue
            nt = lang.other_word(rng, w.text)
            if w.text[:1].isupper():
                nt = nt[:1].upper() + nt[1:]
            w.text = nt
        elif r < 0.85:
            i = rng.randint(1, len(words) - 1)
            words.insert(i, Word(lang.word(rng), tags=(tag,)))
        else:
            i = rng.randint(1, len(words) - 2)
            w = words[i]
            if w.pre or w.post:
                continue
            del words[i]
        done += 1
    return done


def apply_edits(doc, rate, lang, rng, topic):
    """Edit the body of `doc` at about `rate` word edits (sentence drop, sentence add,
    scattered substitutions), never touching tagged words. Returns the actual rate."""
    n = doc.body_words()
    budget = max(1, int(round(rate * n)))
    used = 0
    if rng.random() < 0.5:
        cands = [(pi, si) for pi, si in flat_sentences(doc)
                 if len(doc.body[pi][si]) <= budget and len(doc.body[pi]) > 1
                 and not any(w.tags for w in doc.body[pi][si])]
        if cands:
            pi, si = rng.choice(cands)
            used += len(doc.body[pi][si])
            del doc.body[pi][si]
    if budget - used >= 8 and rng.random() < 0.6:
        m = rng.randint(8, min(35, budget - used))
        insert_sentences(doc, [lang.sentence(rng, topic, m)], rng)
        used += m
    cands = [w for p in doc.body for s in p for w in s if not w.tags and not w.text[0].isdigit()]
    k = min(budget - used, len(cands))
    for w in rng.sample(cands, k):
        nt = lang.other_word(rng, w.text)
        if w.text[:1].isupper():
            nt = nt[:1].upper() + nt[1:]
        w.text = nt
        used += 1
    return used / n


def copy_doc(d, **kw):
    nd = Doc(source=d.source, date=d.date, family=d.family, kind=d.kind, topic=d.topic)
    nd.header = copy_sents(d.header)
    nd.body = [copy_sents(p) for p in d.body]
    nd.footer = copy_sents(d.footer)
    nd.__dict__.update(kw)
    return nd


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

def generate(out, script='arabic', originals=200, seed=1, quotes=None, stats=False):
    t0 = time.time()
    rng = random.Random(seed)
    lang = Arabic(rng) if script == 'arabic' else Latin(rng)
    if quotes is None:
        quotes = originals // 10
    sources = lang.sources
    source_zipf = Zipf(sources, s=0.8, q=2.0)
    styles = {s: lang.make_style(rng, s) for s in sources}
    boiler = {}   # source -> [(tag, sentences)]
    boiler_words = {}
    btag = -1
    for s in sources:
        if rng.random() < 0.35:
            header, footer = lang.boilerplate(rng)
            parts = []
            for words in (header, footer):
                if words:
                    parts.append((btag, words))
                    boiler_words[btag] = (s, len(words))
                    btag -= 1
            boiler[s] = (header, footer, parts)

    def attach_boilerplate(d):
        b = boiler.get(d.source)
        if not b:
            return
        header, footer, parts = b
        tags = {id(ws): tag for tag, ws in parts}
        if header:
            d.header = [[Word(w.text, w.pre, w.post, (tags[id(header)],)) for w in header]]
        d.footer = [[Word(w.text, w.pre, w.post, (tags[id(footer)],)) for w in footer]]

    def other_source(exclude):
        for _ in range(100):
            s = source_zipf.draw(rng)
            if s not in exclude:
                return s
        return rng.choice([s for s in sources if s not in exclude] or sources)

    base_day = date(2019, 1, 1)
    topics = []
    for _ in range(max(1, originals // 3)):
        tp = lang.make_topic(rng)
        tp['date'] = base_day + timedelta(days=rng.randrange(5 * 365))
        topics.append(tp)

    docs = []
    heads = []
    origs = []
    for i in range(originals):
        tp = topics[rng.randrange(len(topics))]
        src = source_zipf.draw(rng)
        d = Doc(source=src, date=tp['date'] + timedelta(days=rng.randint(-2, 2)),
                family=f'F{i:06d}', kind='original', topic=tp)
        d.body = lang.article(rng, tp)
        attach_boilerplate(d)
        docs.append(d)
        heads.append(d)
        origs.append(d)

    quote_info = {}  # qid -> dict
    qid = 0

    # related documents: same event, new text, 0-2 sentences taken from the original
    for o in origs:
        if rng.random() >= 0.08:
            continue
        tp = o.topic
        r = Doc(source=other_source({o.source}), date=tp['date'] + timedelta(days=rng.randint(-1, 3)),
                family=o.family + 'r', kind='related', topic=tp, related_to=o)
        r.body = lang.article(rng, tp)
        attach_boilerplate(r)
        ncopy = rng.choice((0, 1, 1, 2, 2))
        cands = [(pi, si) for pi, si in flat_sentences(o)
                 if len(o.body[pi][si]) >= 8 and not any(w.tags for w in o.body[pi][si])]
        for pi, si in rng.sample(cands, min(ncopy, len(cands))):
            src_words = o.body[pi][si]
            for w in src_words:
                w.tags = w.tags + (qid,)
            cp = [Word(w.text, w.pre.replace(OPEN_Q, ''), w.post.replace(CLOSE_Q, ''), (qid,))
                  for w in src_words]
            rate = rng.choice((0.0, 0.0, 0.05, 0.10))
            ch = change_words(cp, rate, lang, rng, qid)
            if '.' not in cp[-1].post:
                cp[-1].post += '.'
            insert_sentences(r, [cp], rng)
            quote_info[qid] = {'origin': 'related', 'source_doc': o, 'words': len(src_words),
                               'change_target': rate, 'changes': [ch]}
            qid += 1
        docs.append(r)
        heads.append(r)

    # planted quotes
    planted = 0
    for _ in range(quotes):
        u = rng.random()
        if u < 0.70:
            L = rng.randint(12, 40)
        elif u < 0.90:
            L = rng.randint(60, 120)
        else:
            L = rng.randint(200, 300)
        rate = rng.choice((0.0, 0.05, 0.10))
        placed = False
        for attempt in range(200):
            # a long passage must stay a minor part of both documents (otherwise the pair is
            # a near-duplicate); relaxed after many failed attempts on small corpora
            strict = attempt < 150
            s = rng.choice(heads)
            if strict and s.body_words() < 2.5 * L:
                continue
            flat = []
            starts = []
            for pi, si in flat_sentences(s):
                starts.append(len(flat))
                flat.extend(s.body[pi][si])
            starts = [k for k in starts if k + L <= len(flat)]
            if not starts:
                continue
            k = rng.choice(starts)
            seg = flat[k:k + L]
            if any(w.tags for w in seg):
                continue
            ntargets = rng.choice((1, 1, 1, 2, 2, 3))
            used_sources = {s.source}
            targets = []
            for _t in range(ntargets * 10):
                t = rng.choice(heads)
                if t.source in used_sources or t is s or t.family == s.family:
                    continue
                if strict and t.body_words() < 2 * L:
                    continue
                used_sources.add(t.source)
                targets.append(t)
                if len(targets) == ntargets:
                    break
            if not targets:
                continue
            for w in seg:
                w.tags = w.tags + (qid,)
            changes = []
            for t in targets:
                cp = [Word(w.text, w.pre.replace(OPEN_Q, ''), w.post.replace(CLOSE_Q, ''), (qid,))
                      for w in seg]
                changes.append(change_words(cp, rate, lang, rng, qid))
                cp[0].pre = OPEN_Q
                cp[-1].post = cp[-1].post.rstrip('.,،:') + CLOSE_Q + '.'
                sents = split_sentences(cp)
                attrib = lang.attribution(rng, t.topic)
                if script == 'arabic' and not attrib[-1].post and rng.random() < 0.5:
                    attrib[-1].post = ':'
                sents[0][0:0] = attrib
                insert_sentences(t, sents, rng)
            quote_info[qid] = {'origin': 'planted', 'source_doc': s, 'words': L,
                               'change_target': rate, 'changes': changes, 'targets': targets}
            qid += 1
            planted += 1
            placed = True
            break
        if not placed:
            print(f'gen_corpus: warning: could not place a quote of {L} words', file=sys.stderr)

    # variants of originals
    for o in origs:
        n_exact = n_edit = 0
        if rng.random() < 0.15:
            n_exact = 1
            while n_exact < 4 and rng.random() < 0.4:
                n_exact += 1
        if rng.random() < 0.20:
            n_edit = rng.choice((1, 1, 2))
        if rng.random() < 0.015:  # a wire story republished widely
            n_exact += rng.randint(2, 5)
            n_edit += rng.randint(2, 6)
        used = {o.source}
        for j in range(n_exact + n_edit):
            src = other_source(used) if len(used) < len(sources) else rng.choice(sources)
            used.add(src)
            dd = o.date + timedelta(days=rng.randint(0, 2))
            if j < n_exact:
                v = copy_doc(o, source=src, date=dd, kind='exact')
            else:
                v = copy_doc(o, source=src, date=dd, kind='edit')
                v.edit_target = rng.choice((0.01, 0.03, 0.05))
                v.edit_rate = apply_edits(v, v.edit_target, lang, rng, o.topic)
            v.head = o
            docs.append(v)

    # ids
    ids = set()
    for d in docs:
        while True:
            did = f'{rng.getrandbits(64):016x}'
            if did not in ids:
                ids.add(did)
                d.id = did
                break

    # render
    texts = {}
    spans = {}
    for d in docs:
        if d.kind in ('exact', 'edit'):
            st = lang.noisy_style(rng, styles[d.source])
        else:
            st = styles[d.source]
        text, sp = render(d, lang, st, rng)
        if d.kind == 'exact':
            ot = texts[d.head.id]
            tries = 0
            while text == ot:
                tries += 1
                st = lang.force_style(st)
                text, sp = render(d, lang, st, rng)
                if tries > 10:
                    raise AssertionError('cannot make an exact variant differ')
            if normalize_tokens(text) != normalize_tokens(ot):
                raise AssertionError(f'exact variant {d.id} differs after folding')
        texts[d.id] = text
        spans[d.id] = sp

    order = list(docs)
    rng.shuffle(order)
    os.makedirs(out, exist_ok=True)
    nbytes = 0
    with open(os.path.join(out, 'corpus.jsonl'), 'w', encoding='utf-8') as f:
        for d in order:
            slug = f'{d.date:%Y/%m/%d}/{d.id[:10]}'
            line = {'id': d.id, 'text': texts[d.id], 'source': d.source,
                    'url': f'https://{d.source}/{slug}', 'date': d.date.isoformat()}
            f.write(json.dumps(line, ensure_ascii=False) + '\n')
            nbytes += len(texts[d.id].encode())
    nocc = 0
    with open(os.path.join(out, 'truth.jsonl'), 'w', encoding='utf-8') as f:
        for d in order:
            line = {'id': d.id, 'family': d.family, 'kind': d.kind,
                    'edit_rate': round(d.edit_rate, 5), 'source': d.source}
            if d.edit_target is not None:
                line['edit_target'] = d.edit_target
            if d.related_to is not None:
                line['related_to'] = d.related_to.id
            f.write(json.dumps(line, ensure_ascii=False) + '\n')
        occs = {}
        for d in order:
            for tag, (a, b) in spans[d.id].items():
                occs.setdefault(tag, []).append({'doc': d.id, 'start': a, 'end': b})
        for q in range(qid):
            info = quote_info[q]
            oc = occs[q]
            sd = info['source_doc'].id
            oc.sort(key=lambda o: o['doc'] != sd)  # source occurrence first, then corpus order
            nocc += len(oc)
            ch = info['changes']
            line = {'quote': q, 'occurrences': oc, 'words': info['words'],
                    'change_rate': round(sum(ch) / (len(ch) * info['words']), 5),
                    'change_target': info['change_target'], 'origin': info['origin'],
                    'source_doc': sd}
            f.write(json.dumps(line, ensure_ascii=False) + '\n')
        nboiler = 0
        for tag in sorted(boiler_words, reverse=True):
            if len(occs.get(tag, ())) < 2:
                continue
            nboiler += 1
            s, nw = boiler_words[tag]
            line = {'boilerplate': -1 - tag, 'source': s, 'words': nw, 'occurrences': occs[tag]}
            f.write(json.dumps(line, ensure_ascii=False) + '\n')

    kinds = Counter(d.kind for d in docs)
    nwords = sum(d.body_words() for d in docs)
    related_q = sum(1 for v in quote_info.values() if v['origin'] == 'related')
    print(f'gen_corpus: {script} seed={seed}: {len(docs)} docs ({kinds["original"]} original, '
          f'{kinds["exact"]} exact, {kinds["edit"]} edit, {kinds["related"]} related) in '
          f'{len(set(d.family for d in docs))} families; {planted} planted quotes + {related_q} '
          f'shared related sentences, {nocc} occurrences; {nboiler} boilerplate passages; '
          f'{nwords} words, {nbytes / 1e6:.1f} MB -> {out} ({time.time() - t0:.1f}s)')
    if stats:
        print_stats(docs, texts, quote_info, rng)


def pct(xs, q):
    if not xs:
        return float('nan')
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]


def print_stats(docs, texts, quote_info, rng):
    toks = {d.id: normalize_tokens(texts[d.id]) for d in docs}
    cache = {}

    def sh(did, n):
        k = (did, n)
        if k not in cache:
            cache[k] = shingles(toks[did], n)
        return cache[k]

    groups = {}
    for d in docs:
        if d.kind in ('exact', 'edit'):
            key = 'exact' if d.kind == 'exact' else f'edit@{round(d.edit_target * 100)}%'
            groups.setdefault(key, []).append((d.head.id, d.id, d.edit_rate))
        elif d.kind == 'related':
            groups.setdefault('related', []).append((d.related_to.id, d.id, 0.0))
    heads = [d for d in docs if d.kind in ('original', 'related')]
    indep, same_topic = [], []
    for _ in range(3000):
        a, b = rng.sample(heads, 2)
        if a.family.rstrip('r') == b.family.rstrip('r'):
            continue
        indep.append((a.id, b.id, 0.0))
    by_topic = {}
    for d in heads:
        if d.kind == 'original':
            by_topic.setdefault(id(d.topic), []).append(d)
    for ds in by_topic.values():
        for i in range(len(ds)):
            for j in range(i + 1, len(ds)):
                if len(same_topic) < 3000:
                    same_topic.append((ds[i].id, ds[j].id, 0.0))
    groups['independent'] = indep
    for v in quote_info.values():
        if v['origin'] == 'planted':
            key = 'quoted-200+' if v['words'] >= 200 else 'quoted'
            for t in v['targets']:
                groups.setdefault(key, []).append((v['source_doc'].id, t.id, 0.0))
    groups['same-topic'] = same_topic
    print(f'{"pairs":<12}{"n":>6}  {"edit rate":>9}  '
          f'{"J5 min":>7} {"p10":>6} {"median":>6} {"p90":>6} {"max":>6}   '
          f'{"J3 min":>7} {"p10":>6} {"median":>6} {"p90":>6} {"max":>6}')
    for key in ('exact', 'edit@1%', 'edit@3%', 'edit@5%', 'related', 'same-topic', 'independent',
                'quoted', 'quoted-200+'):
        pairs = groups.get(key, [])
        if not pairs:
            continue
        j5 = [jaccard(sh(a, 5), sh(b, 5)) for a, b, _ in pairs]
        j3 = [jaccard(sh(a, 3), sh(b, 3)) for a, b, _ in pairs]
        er = sum(r for _, _, r in pairs) / len(pairs)
        print(f'{key:<12}{len(pairs):>6}  {er:>9.4f}  ' +
              ' '.join(f'{pct(j5, q):>6.3f}' for q in (0, .1, .5, .9, 1)) + '    ' +
              ' '.join(f'{pct(j3, q):>6.3f}' for q in (0, .1, .5, .9, 1)))
    ind = groups['independent']
    nz = sum(1 for a, b, _ in ind if sh(a, 5) & sh(b, 5))
    print(f'independent pairs sharing at least one word 5-gram: {nz}/{len(ind)}')
    lens = Counter()
    for v in quote_info.values():
        w = v['words']
        b = '<12' if w < 12 else '12-40' if w <= 40 else '41-120' if w <= 120 else '121-199' if w < 200 else '200+'
        lens[(v['origin'], b)] += 1
    print('passages by origin and length: ' +
          ', '.join(f'{o}/{b}: {n}' for (o, b), n in sorted(lens.items())))


def main(argv=None):
    ap = argparse.ArgumentParser(description='Generate a synthetic news corpus with known truth.')
    ap.add_argument('--out', required=True)
    ap.add_argument('--script', choices=('arabic', 'latin'), default='arabic')
    ap.add_argument('--originals', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--quotes', type=int, default=None, help='planted quotes (default originals/10)')
    ap.add_argument('--stats', action='store_true',
                    help='also print true Jaccard distributions (word 5-grams and 3-grams)')
    a = ap.parse_args(argv)
    if a.originals < 2:
        ap.error('--originals must be at least 2')
    generate(a.out, a.script, a.originals, a.seed, a.quotes, a.stats)
    return 0


if __name__ == '__main__':
    sys.exit(main())
