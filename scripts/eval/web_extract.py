#!/usr/bin/env python3
"""Main-text extraction of real web pages: sada beside trafilatura, readability-lxml, jusText and
Resiliparse on a benchmark of pages with expected and unwanted snippets.

    python3 scripts/eval/web_extract.py [BENCH_DIR] [--sada PATH] [--tools sada,trafilatura,...]
                                        [--json FILE]

BENCH_DIR (default ../shared/web-eval relative to the repository) holds `dev.warc.gz` (one WARC
`response` record per page) and `dev-truth.json` (per record id: the page's URL, the snippets its
text must contain, `with`, and must not, `without`), as the main-text benchmark's development half
does (see its README.md); `score_web.py` there is imported when present so that the scores are its
own, else the identical rule below is used. Nothing here needs that directory to exist until run.

Every tool gets the same HTML bytes (the records' HTTP bodies) and runs in one thread:
  sada               target/release/sada extract --threads 1 (decodes the WARC itself; its time
                     includes reading and gunzipping the archive)
  trafilatura        trafilatura.extract(html) (defaults: comments included, fallbacks on)
  trafilatura/fast   trafilatura.extract(html, fast=True) (no_fallback=True on versions < 1.11)
  readability        readability-lxml: Document(html).summary(), its text (lxml text_content)
  justext            justext.justext(html, stoplist) with the union of all of jusText's
                     stoplists (pages are in many languages), paragraphs not marked boilerplate
  resiliparse        extract_plain_text(html as str, main_content=True), encoding by
                     resiliparse's own detect_encoding
Columns: precision, recall and F1 over all snippets pooled (a snippet is found when its
whitespace-normalised form is a substring of the whitespace-normalised text; unwanted
snippets count only on non-empty texts); pages with empty text; CPU seconds, pages/s and MB/s of
HTML (sada: the process's user+sys time; peers: time.process_time() around the calls); the
same P/R/F1 on the non-Latin-script pages only (those whose expected snippets are mostly letters
of another script: Arabic, CJK, Cyrillic, Greek, Hebrew...); and the headline rate, the share of
pages having an <h1> whose text (whitespace-normalised) is in the extracted text.

The peers live in a private virtualenv, target/web-peers-venv (created with `python3 -m venv`,
packages pip-installed when missing); each peer runs in it as a subprocess of this script
(`--peer NAME`). A peer that cannot be installed or imported is reported and skipped.
"""
import argparse
import base64
import gzip
import html.parser
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT, fmt, tail  # noqa: E402

DEFAULT_BENCH = os.path.join(os.path.dirname(ROOT), 'shared', 'web-eval')
OUT = os.path.join(ROOT, 'target', 'web-extract')
VENV = os.path.join(ROOT, 'target', 'web-peers-venv')
SADA = os.path.join(ROOT, 'target', 'release', 'sada')
TOOLS = ('sada', 'trafilatura', 'trafilatura/fast', 'readability', 'justext', 'resiliparse')
# pip packages and import name per peer. lxml 6.2 no longer has the `html_clean` extra that
# trafilatura and readability-lxml ask for, so its split-off module is named outright.
PACKAGES = {'trafilatura': (['trafilatura', 'lxml_html_clean'], 'trafilatura'),
            'readability': (['readability-lxml', 'lxml_html_clean'], 'readability'),
            'justext': (['justext', 'lxml_html_clean'], 'justext'),
            'resiliparse': (['resiliparse'], 'resiliparse')}


# ---------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------

def read_warc(path):
    """[(record id, HTML bytes)] of the `response` records of a (gzipped) WARC file."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    pages, i = [], 0
    while True:
        start = data.find(b'WARC/1.', i)
        if start < 0:
            break
        head_end = data.find(b'\r\n\r\n', start)
        headers = {}
        for line in data[start:head_end].split(b'\r\n')[1:]:
            k, _, v = line.partition(b':')
            headers[k.strip().lower().decode()] = v.strip().decode('utf-8', 'replace')
        length = int(headers.get('content-length', '0'))
        block = data[head_end + 4:head_end + 4 + length]
        i = head_end + 4 + length
        if headers.get('warc-type') != 'response':
            continue
        http_end = block.find(b'\r\n\r\n')
        body = block[http_end + 4:] if http_end >= 0 else b''
        pages.append((headers.get('warc-record-id', ''), body))
    return pages


class _H1(html.parser.HTMLParser):
    """The text of a page's first <h1>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.text, self.done = 0, [], False

    def handle_starttag(self, tag, attrs):
        if tag == 'h1' and not self.done:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == 'h1' and self.depth:
            self.depth -= 1
            self.done = self.done or (self.depth == 0 and bool(norm(''.join(self.text))))
            if not self.done:
                self.text = []

    def handle_data(self, data):
        if self.depth and not self.done:
            self.text.append(data)


def first_h1(html_bytes):
    text = decode(html_bytes)
    p = _H1()
    try:
        p.feed(text)
    except Exception:  # noqa: BLE001 - a broken page has no headline to count
        return ''
    return norm(''.join(p.text)) if p.done else ''


def decode(b):
    m = re.search(rb'charset=["\']?([A-Za-z0-9_-]+)', b[:8192])
    for enc in ([m.group(1).decode()] if m else []) + ['utf-8']:
        try:
            return b.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return b.decode('utf-8', 'replace')


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------

def norm(s):
    return re.sub(r'\s+', ' ', s).strip()


def load_score_web(bench):
    path = os.path.join(bench, 'score_web.py')
    if not os.path.exists(path):
        return None
    spec = importlib.util.spec_from_file_location('score_web', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def non_latin(page):
    """Whether most letters of the page's expected snippets are of a script other than Latin."""
    latin = other = 0
    for s in page['with']:
        for c in s:
            if c.isalpha():
                if unicodedata.name(c, '').startswith('LATIN'):
                    latin += 1
                else:
                    other += 1
    return other > latin


def prf(truth, got, ids, norm_fn):
    tp = fp = fn = empty = 0
    for rid in ids:
        page = truth[rid]
        text = norm_fn(got.get(rid, ''))
        empty += not text
        hit = sum(norm_fn(w) in text for w in page['with'])
        bad = sum(norm_fn(w) in text for w in page['without']) if text else 0
        tp += hit
        fn += len(page['with']) - hit
        fp += bad
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), empty


def read_jsonl(path):
    got = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                got[str(o.get('id'))] = o.get('text') or ''
    return got


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

def run_sada(sada, warc, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([sada, 'extract', '--threads', '1', '--out', out, warc],
                       capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError(tail(r.stderr))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ensure_venv():
    """The venv's python and {tool: reason} for the peers that cannot be had."""
    py = os.path.join(VENV, 'bin', 'python')
    if not os.path.exists(py):
        print(f'web_extract: creating virtualenv {os.path.relpath(VENV, ROOT)}', file=sys.stderr)
        subprocess.run([sys.executable, '-m', 'venv', VENV], capture_output=True)
    if not os.path.exists(py):
        return py, {t: 'python3 -m venv failed' for t in PACKAGES}
    unavailable = {}
    for tool, (pkg, mod) in PACKAGES.items():
        if subprocess.run([py, '-c', f'import {mod}'], capture_output=True).returncode == 0:
            continue
        print(f'web_extract: pip install {" ".join(pkg)}', file=sys.stderr)
        # One peer per call: pip's resolver has tripped over lxml's extras
        # when the peers were installed together.
        r = subprocess.run([py, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', *pkg],
                           capture_output=True, text=True)
        if subprocess.run([py, '-c', f'import {mod}'], capture_output=True).returncode != 0:
            unavailable[tool] = 'pip install failed: ' + tail(r.stderr or r.stdout)
    return py, unavailable


def peer_main(name, pages_path, out):
    """Inside the venv: runs one peer on every page, writes JSON lines, prints CPU seconds."""
    with open(pages_path, encoding='utf-8') as f:
        pages = [json.loads(line) for line in f]
    pages = [(p['id'], base64.b64decode(p['html'])) for p in pages]
    if name.startswith('trafilatura'):
        import trafilatura
        fast = name.endswith('/fast')
        try:
            trafilatura.extract('<html><body><p>x</p></body></html>', fast=True)
            kw = {'fast': True} if fast else {}
        except TypeError:
            kw = {'no_fallback': True} if fast else {}

        def run(b):
            return trafilatura.extract(b, **kw) or ''
    elif name == 'readability':
        import lxml.html
        from readability import Document

        def run(b):
            summary = Document(b).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ''
    elif name == 'justext':
        import justext
        stoplist = frozenset().union(*(justext.get_stoplist(lang) for lang in justext.get_stoplists()))

        def run(b):
            return '\n'.join(p.text for p in justext.justext(b, stoplist) if not p.is_boilerplate)
    elif name == 'resiliparse':
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding

        def run(b):
            return extract_plain_text(bytes_to_str(b, detect_encoding(b)), main_content=True)
    else:
        raise SystemExit(f'unknown peer {name}')
    cpu = 0.0
    with open(out, 'w', encoding='utf-8') as f:
        for rid, b in pages:
            t0 = time.process_time()
            try:
                text = run(b)
            except Exception as e:  # noqa: BLE001 - a failing page is an empty text
                text = ''
                print(f'{name}: {rid}: {type(e).__name__}: {e}', file=sys.stderr)
            cpu += time.process_time() - t0
            f.write(json.dumps({'id': rid, 'text': text}, ensure_ascii=False) + '\n')
    print(json.dumps({'cpu': cpu}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('bench', nargs='?', default=DEFAULT_BENCH)
    ap.add_argument('--sada', default=SADA)
    ap.add_argument('--tools', default=','.join(TOOLS))
    ap.add_argument('--json', help='write every result to this file')
    ap.add_argument('--peer', help=argparse.SUPPRESS)
    ap.add_argument('--pages', help=argparse.SUPPRESS)
    ap.add_argument('--peer-out', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer:
        return peer_main(a.peer, a.pages, a.peer_out)
    warc = os.path.join(a.bench, 'dev.warc.gz')
    truth_path = os.path.join(a.bench, 'dev-truth.json')
    if not (os.path.exists(warc) and os.path.exists(truth_path)):
        sys.exit(f'web_extract: {a.bench} lacks dev.warc.gz or dev-truth.json')
    with open(truth_path, encoding='utf-8') as f:
        truth = json.load(f)
    score_web = load_score_web(a.bench)
    norm_fn = score_web.norm if score_web else norm
    pages = read_warc(warc)
    mb = sum(len(b) for _, b in pages) / 1e6
    h1 = {rid: first_h1(b) for rid, b in pages}
    os.makedirs(OUT, exist_ok=True)
    pages_path = os.path.join(OUT, 'pages.jsonl')
    with open(pages_path, 'w', encoding='utf-8') as f:
        for rid, b in pages:
            f.write(json.dumps({'id': rid, 'html': base64.b64encode(b).decode()}) + '\n')
    ids = list(truth)
    other = [rid for rid in ids if non_latin(truth[rid])]
    tools = [t for t in a.tools.split(',') if t]
    py, unavailable = (None, {})
    if any(t != 'sada' for t in tools):
        py, unavailable = ensure_venv()
    results = []
    for tool in tools:
        out = os.path.join(OUT, tool.replace('/', '-') + '.jsonl')
        print(f'web_extract: {tool}', file=sys.stderr)
        try:
            if tool == 'sada':
                cpu = run_sada(a.sada, warc, out)
            else:
                if tool.split('/')[0] in unavailable:
                    raise RuntimeError(unavailable[tool.split('/')[0]])
                r = subprocess.run([py, os.path.abspath(__file__), '--peer', tool, '--pages', pages_path,
                                    '--peer-out', out], capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError(tail(r.stderr))
                cpu = json.loads(r.stdout.strip().splitlines()[-1])['cpu']
        except (RuntimeError, OSError) as e:
            print(f'web_extract: {tool} unavailable: {e}', file=sys.stderr)
            continue
        got = read_jsonl(out)
        p, r_, f1, empty = prf(truth, got, ids, norm_fn)
        if score_web:
            sp, sr, sf, se, _ = score_web.score(truth, out)
            assert (round(sp, 9), round(sr, 9), round(sf, 9), se) == (round(p, 9), round(r_, 9), round(f1, 9), empty)
        op, or_, of1, _ = prf(truth, got, other, norm_fn)
        with_h1 = [rid for rid in ids if h1.get(rid)]
        headline = sum(h1[rid] in norm_fn(got.get(rid, '')) for rid in with_h1) / max(1, len(with_h1))
        results.append({'tool': tool, 'precision': p, 'recall': r_, 'f1': f1, 'empty': empty, 'cpu_s': cpu,
                        'pages_per_s': len(pages) / cpu if cpu else None, 'mb_per_s': mb / cpu if cpu else None,
                        'non_latin': {'precision': op, 'recall': or_, 'f1': of1}, 'headline_rate': headline})
    print(f'{len(ids)} pages ({len(other)} non-Latin), {mb:.1f} MB of HTML, one thread; '
          f'headline: pages with an <h1> ({sum(1 for r in ids if h1.get(r))}) whose text is kept')
    # Four decimals for the pooled scores: one snippet is 0.0007 of recall here.
    print(f'| {"tool":16} | {"P":>6} | {"R":>6} | {"F1":>6} | {"empty":>5} | {"CPU s":>6} | {"pages/s":>7} | '
          f'{"MB/s":>5} | {"non-Latin P":>11} | {"R":>6} | {"F1":>6} | {"headline":>8} |')
    print('|' + '|'.join('-' * (w + 2) for w in (16, 6, 6, 6, 5, 6, 7, 5, 11, 6, 6, 8)) + '|')
    for x in results:
        nl = x['non_latin']
        print(f'| {x["tool"]:16} | {fmt(x["precision"], 4):>6} | {fmt(x["recall"], 4):>6} | {fmt(x["f1"], 4):>6} | '
              f'{x["empty"]:5d} | {x["cpu_s"]:6.1f} | {fmt(x["pages_per_s"], 0):>7} | {fmt(x["mb_per_s"], 2):>5} | '
              f'{fmt(nl["precision"], 3):>11} | {fmt(nl["recall"], 3):>6} | {fmt(nl["f1"], 3):>6} | '
              f'{x["headline_rate"]:8.1%} |')
    for tool, why in unavailable.items():
        print(f'{tool}: unavailable ({why})')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
