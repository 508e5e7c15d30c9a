"""The Python package against the command line: the same outputs byte for byte, the same
signatures, the same errors. Needs the `sada` binary (SADA_BIN, default target/release/sada)
and the package installed (python/run-tests.sh does both)."""

import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

import sada

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SADA = os.environ.get("SADA_BIN", os.path.join(ROOT, "target", "release", "sada"))
SEEDS = "seeds"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Paths as a user at the repository root gives them: `input` in documents.jsonl is the
    path as given, so the CLI and the package must be given the same one."""
    monkeypatch.chdir(ROOT)


def cli(*args, check=True):
    return subprocess.run([SADA, *args], capture_output=True, text=True, check=check)


def comparable(out):
    """The outputs that must be identical between two runs (as tests/util's
    comparable_outputs): the JSONL files, the report and summary without their run sections."""
    files = {}
    for name in ("documents.jsonl", "clusters.jsonl", "statements.jsonl"):
        with open(os.path.join(out, name), "rb") as f:
            files[name] = f.read()
    with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
        html = f.read()
    a, b = html.find("<!--run-->"), html.find("<!--/run-->")
    files["report.html"] = html[:a] + html[b:] if 0 <= a < b else html
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    del summary["run"]
    files["summary.json"] = summary
    return files


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A small generated Arabic corpus with near-duplicates and planted quotes."""
    d = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "corpora", "gen_corpus.py"),
                    "--out", str(d), "--script", "arabic", "--originals", "150", "--seed", "7"],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(str(d), "corpus.jsonl")


def records_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize("options, flags", [
    ({}, []),
    ({"threshold": 0.7, "min_words": 10}, ["--threshold", "0.7", "--min-words", "10"]),
])
def test_seeds_write_the_command_lines_outputs(tmp_path, options, flags):
    cli("scan", "--quiet", *flags, "--out", str(tmp_path / "cli"), SEEDS)
    result = sada.scan(SEEDS, **options)
    result.write(tmp_path / "py")
    assert comparable(tmp_path / "py") == comparable(tmp_path / "cli")
    assert len(result.statements) == result.summary["statements"] + result.summary["boilerplate_statements"]


def test_the_seeds_hold_the_two_lavrov_statements():
    result = sada.scan(SEEDS)
    texts = [s.text for s in result.statements if not s.boilerplate]
    assert len(texts) == 2
    assert any("روسيا مستعدة لتلبية طلبات بغداد" in t for t in texts)
    for st in result.statements:
        assert st.docs >= 2 and all(o.end > o.start for o in st.occurrences)


def test_a_generated_corpus_writes_the_command_lines_outputs(tmp_path, generated):
    cli("scan", "--quiet", "--threads", "2", "--out", str(tmp_path / "cli"), generated)
    result = sada.scan(generated, threads=1)
    result.write(tmp_path / "py")
    assert comparable(tmp_path / "py") == comparable(tmp_path / "cli")
    assert result.clusters and result.statements


def test_dicts_and_arrow_give_the_results_of_the_file(generated):
    from_file = sada.scan(generated)
    records = records_of(generated)
    table = pa.Table.from_pylist(records)
    results = {
        "dicts": sada.scan(records),
        "generator": sada.scan(r for r in records),
        "table": sada.scan(table),
        "batch": sada.scan(table.combine_chunks().to_batches()[0]),
        "reader": sada.scan(pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=100))),
    }
    strip = lambda docs: [{**d.__dict__, "input": None} for d in docs]  # noqa: E731
    for name, r in results.items():
        assert r.clusters == from_file.clusters, name
        assert r.statements == from_file.statements, name
        assert strip(r.documents) == strip(from_file.documents), name


def test_tables_hold_the_rows(generated):
    result = sada.scan(generated)
    assert result.documents_table().num_rows == len(result.documents)
    assert result.clusters_table().column("size").to_pylist() == [c.size for c in result.clusters]
    occurrences = result.statements_table().column("occurrences").to_pylist()
    assert [len(o) for o in occurrences] == [len(s.occurrences) for s in result.statements]


def test_bad_records_are_reported_not_dropped():
    records = [{"id": "a", "text": "كلمة اخرى هنا"}, {"id": "b"}, {"id": "c", "text": 12}, {"id": "d", "text": ""}]
    docs = sada.scan(records).documents
    assert [d.id for d in docs] == ["a", "b", "c", "d"]
    assert [d.status for d in docs] == ["ok", "error", "error", "empty"]
    assert "text" in docs[1].error


@pytest.mark.parametrize("num_perm, ngram, method", [(128, 5, "oph"), (64, 3, "minhash"), (128, 5, "simhash")])
def test_signatures_are_those_of_sada_sign(tmp_path, num_perm, ngram, method):
    texts = [open(os.path.join(SEEDS, f), encoding="utf-8").read() for f in sorted(os.listdir(SEEDS))]
    texts += ["", "!!!", "one two three"]
    with open(tmp_path / "in.jsonl", "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")
    out = cli("sign", "--quiet", "--format", "jsonl", "--num-perm", str(num_perm), "--ngram", str(ngram),
              "--method", method, "--out", "-", str(tmp_path / "in.jsonl")).stdout
    want = [json.loads(line)["signature"] for line in out.splitlines()]
    got = sada.signatures(texts, num_perm=num_perm, ngram=ngram, method=method)
    assert got.dtype == np.uint32 and got.shape == (len(texts), 2 if method == "simhash" else num_perm)
    for row, lanes in zip(got, want):
        assert row.tolist() == (lanes or [0xFFFFFFFF] * got.shape[1])


def test_against_an_archive_gives_the_command_lines_outputs(tmp_path, generated):
    with open(generated, encoding="utf-8") as f:
        lines = f.readlines()
    third = len(lines) // 3
    for name, part in (("old.jsonl", lines[:2 * third]), ("today.jsonl", lines[2 * third:])):
        (tmp_path / name).write_text("".join(part), encoding="utf-8")
    arc, today = str(tmp_path / "arc"), str(tmp_path / "today.jsonl")
    cli("index", "create", "-q", arc, str(tmp_path / "old.jsonl"))
    # Clusters and statements, and clusters alone: both from the stored state.
    for ns, run in (([], "all"), (["--no-statements"], "clusters")):
        want = str(tmp_path / f"want-{run}")
        cli("scan", "-q", *ns, "--out", want, "--against", arc, today)
        got = sada.scan(today, against=arc, no_statements=bool(ns))
        got.write(tmp_path / f"got-{run}")
        assert comparable(str(tmp_path / f"got-{run}")) == comparable(want)
        assert got.summary["archive"]["analyses"] == "stored"
        assert any(m.archived for c in got.clusters for m in c.members)
    sada.scan(today, against=arc, add=True, no_statements=True)
    info = json.loads(cli("index", "info", "--json", arc).stdout)
    assert sum(s["documents"] for s in info["segments"]) == len(lines)
    with pytest.raises(ValueError, match="not a sada archive"):
        sada.scan(today, against=str(tmp_path))


def test_arrow_strings_sign_as_python_strings():
    pa = pytest.importorskip("pyarrow")
    texts = [open(os.path.join(SEEDS, f), encoding="utf-8").read() for f in sorted(os.listdir(SEEDS))]
    texts += ["", "!!!", "one two three four five six"]
    want = sada.signatures(texts + [""], num_perm=64, method="minhash")
    # A null string has no words, as an empty one; slices start inside their buffers.
    array = pa.array(texts + [None])
    assert (sada.signatures(array, num_perm=64, method="minhash") == want).all()
    large = pa.array(["x"] + texts + [None], type=pa.large_string()).slice(1)
    assert (sada.signatures(large, num_perm=64, method="minhash") == want).all()
    chunked = pa.chunked_array([texts[:2], [], texts[2:] + [None]])
    assert (sada.signatures(chunked, num_perm=64, method="minhash") == want).all()
    table = pa.table({"text": chunked})
    assert (sada.signatures(table["text"], num_perm=64, method="minhash") == want).all()
    assert sada.signatures(pa.chunked_array([], type=pa.string())).shape == (0, 128)
    with pytest.raises(TypeError, match="not of strings"):
        sada.signatures(pa.array([1, 2]))
    with pytest.raises(ValueError, match="invalid method"):
        sada.signatures(array, method="nope")
    # Arrays built from raw buffers are not validated by pyarrow: sada checks them.
    def raw(values, offsets):
        return pa.Array.from_buffers(pa.string(), len(offsets) - 1, [
            None, pa.py_buffer(np.array(offsets, dtype=np.int32).tobytes()), pa.py_buffer(values)])
    with pytest.raises(ValueError, match="string 1 is not UTF-8"):
        sada.signatures(raw(b"ok\xff\xfe", [0, 2, 4]))


def test_normalize_folds_and_spans_point_into_the_text():
    text = "قالَ لافروف: «روسيا مستعدة» — Ready, STEADY."
    tokens = sada.normalize(text)
    raw = text.encode("utf-8")
    assert [t.word for t in tokens] == ["قال", "لافروف", "روسيا", "مستعده", "ready", "steady"]
    for t in tokens:
        piece = raw[t.start:t.end].decode("utf-8")
        assert [x.word for x in sada.normalize(piece)] == [t.word]
    assert tokens[-1].word == "steady"



def test_bad_options_raise_the_command_lines_message():
    with pytest.raises(ValueError) as e:
        sada.scan(SEEDS, threshold=2)
    message = cli("scan", "--quiet", "--threshold", "2", "--out", "/nonexistent/x", SEEDS, check=False).stderr
    assert "threshold" in str(e.value) and "threshold" in message
    with pytest.raises(ValueError, match="bogus"):
        sada.scan(SEEDS, bogus=1)
    with pytest.raises(ValueError, match="num_perm|num-perm"):
        sada.signatures(["a b c"], num_perm=0)
    with pytest.raises(ValueError):
        sada.signatures(["a b c"], method="nope")
    with pytest.raises(FileNotFoundError):
        sada.scan("no/such/path")
    with pytest.raises(ValueError, match="out"):
        sada.scan(SEEDS, out="x")


def test_write_replaces_previous_outputs_and_refuses_other_files(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me")
    result = sada.scan(SEEDS)
    with pytest.raises(FileExistsError, match="mine.txt"):
        result.write(tmp_path / "taken")
    assert os.listdir(tmp_path / "taken") == ["mine.txt"]
    # The README's order: the command line's outputs first, then the same directory from Python.
    cli("scan", "--quiet", "--threshold", "0.9", "--out", str(tmp_path / "out"), SEEDS)
    result.write(tmp_path / "out")
    cli("scan", "--quiet", "--out", str(tmp_path / "want"), SEEDS)
    assert comparable(tmp_path / "out") == comparable(tmp_path / "want")
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == []


def test_lsh_finds_the_clusters_candidates(generated):
    records = records_of(generated)
    sigs = sada.signatures([r["text"] for r in records])
    lsh = sada.MinHashLSH(threshold=0.6, num_perm=128)
    banding = sada.scan(SEEDS).summary["parameters"]["banding"]
    assert (lsh.bands, lsh.rows) == (banding["bands"], banding["rows"])
    for r, s in zip(records, sigs):
        lsh.insert(r["id"], s)
    assert len(lsh) == len(records)
    result = sada.scan(generated)
    for c in result.clusters:
        rep = next(i for i, r in enumerate(records) if r["id"] == c.representative)
        found = lsh.query(sigs[rep])
        assert all(m.id in found for m in c.members if m.similarity >= 0.8), c
        assert found == sorted(found, key=[r["id"] for r in records].index), "insertion order"
    lsh.remove(records[0]["id"])
    assert records[0]["id"] not in lsh and len(lsh) == len(records) - 1


def test_ctrl_c_stops_the_scan_and_leaves_nothing(tmp_path, monkeypatch, generated):
    import _thread
    import gc
    import signal
    import tempfile
    import threading

    # Ctrl-C as in a terminal: a shell that starts a job in the background (CI)
    # has it ignore SIGINT, and then Python installs no handler for it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    records = records_of(generated) * 40  # long enough to be interrupted while it runs
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    timer = threading.Timer(0.3, _thread.interrupt_main)
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            sada.scan(records)
            timer.join()  # finished first (a very fast machine): the interrupt still comes
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    gc.collect()
    assert os.listdir(tmp_path) == []
    assert len(sada.scan(SEEDS).statements) >= 2  # and the package still works


def test_progress_steps_reach_a_callable_stage_by_stage(generated):
    steps = []
    with_progress = sada.scan(generated, progress=lambda *step: steps.append(step))
    stages = []
    for stage, done, total, message, finished in steps:
        if not stages or stages[-1] != stage:
            stages.append(stage)
    assert stages == ["read", "index", "verify", "cluster", "match", "align", "group", "locate"]
    read = [s for s in steps if s[0] == "read"]
    size = os.path.getsize(generated)
    assert read[0][1:3] == (0, size) and read[-1][1:3] == (size, size) and read[-1][4]
    assert any(s[3].endswith(" records") for s in read)
    for stage in stages:
        ends = [s for s in steps if s[0] == stage and s[4]]
        assert len(ends) == 1 and steps.index(ends[0]) > steps.index(next(s for s in steps if s[0] == stage))
    plain = sada.scan(generated)
    assert with_progress.statements == plain.statements and with_progress.clusters == plain.clusters


def test_tqdm_bars_draw_a_scan_and_close(generated, capsys):
    pytest.importorskip("tqdm")
    result = sada.scan(generated, progress=True)
    assert result.clusters == sada.scan(generated).clusters
    drawn = capsys.readouterr().err
    assert "read" in drawn and "group" in drawn, drawn[-500:]


def test_a_failing_progress_callable_stops_the_scan_and_raises(tmp_path, monkeypatch, generated):
    import gc
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(stage, *rest):
        if stage == "match":
            raise RuntimeError("progress failed at match")

    with pytest.raises(RuntimeError, match="progress failed at match"):
        sada.scan(generated, progress=broken)
    gc.collect()
    assert os.listdir(tmp_path) == []
