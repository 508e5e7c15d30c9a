"""The reference normalization the evaluators trust: an implementation of the Arabic folding
of docs/architecture.md written independently of the Rust one (src/normalize/), so that a bug
there does not hide itself in the scores. `normalize_tokens` gives a text's folded words,
`shingles` and `jaccard` the word-n-gram Jaccard similarity ("true J5") built on them.

Imported by the evaluators (eval_clusters.py, peers_quality.py), the corpus generators
(corpora/gen_corpus.py, corpora/gen_adversarial.py, which record their truth with it) and the
self-checks (test_eval.py, test_check_statements.py), with scripts/ on sys.path (see
common.py), as

    from eval.normalizer import normalize_tokens, shingles, jaccard

Python 3.11 standard library only.
"""
import re
import unicodedata

# ---------------------------------------------------------------------------
# Reference normalization (independent of the Rust implementation).
#
#   NFKC -> lowercase -> remove harakat U+064B-U+065F, superscript alef U+0670,
#   Quranic marks U+06D6-U+06ED, tatweel U+0640, zero-width and bidi controls
#   (U+200B-U+200F, U+061C, U+202A-U+202E, U+2066-U+2069, U+FEFF) -> fold
#   أ إ آ ٱ -> ا, ى -> ي, ة -> ه, ؤ -> و, ئ -> ي, ی -> ي, ک -> ك, Arabic-Indic and
#   extended Arabic-Indic digits -> 0-9 -> split: every character that is not a
#   letter or a digit (Python's str.isalnum, underscore excluded) separates words.
#
# Note: NBSP becomes a space under NFKC. Removal happens before splitting, so a
# zero-width non-joiner or a tatweel inside a word does not split it.
# ---------------------------------------------------------------------------

_REMOVE = (list(range(0x064B, 0x0660)) + [0x0670] + list(range(0x06D6, 0x06EE))
           + [0x0640] + list(range(0x200B, 0x2010)) + [0x061C]
           + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0xFEFF])
_FOLD = {
    'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا',
    'ى': 'ي', 'ة': 'ه', 'ؤ': 'و', 'ئ': 'ي',
    'ی': 'ي', 'ک': 'ك', '\u00a0': ' ',
}
_TABLE = {c: None for c in _REMOVE}
_TABLE.update({ord(k): v for k, v in _FOLD.items()})
for _i in range(10):
    _TABLE[0x0660 + _i] = str(_i)  # Arabic-Indic digits
    _TABLE[0x06F0 + _i] = str(_i)  # extended (Persian/Urdu) digits
_WORD_RE = re.compile(r'[^\W_]+')


def normalize_text(text):
    """Folded text (separators left in place)."""
    return unicodedata.normalize('NFKC', text).lower().translate(_TABLE)


def normalize_tokens(text):
    """List of folded word tokens of `text`."""
    return _WORD_RE.findall(normalize_text(text))


def shingles(tokens, n):
    """Set of word n-grams (tuples). A document shorter than n words gives one
    shingle made of all its words (none when it has no word)."""
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)
