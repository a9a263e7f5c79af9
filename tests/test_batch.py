"""Batch checking: JSONL in, JSONL out, resumable; local engine (in-process and a process pool) and Ray."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdesk.batch import completed_ids, parse_claim_line, read_claims, run_batch
from factdesk.errors import InputError
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import Claim, Document
from factdesk.verdict.aggregate import RuleAggregator as Aggregator

EVIDENCE = [
    Document(
        text="Russia began air strikes in Syria on 30 September 2015.", publisher="Reuters", published="2015-10-01"
    ),
    Document(text="Minsk is the capital of Belarus.", publisher="Atlas", published="2010-01-01"),
    Document(
        text="The UN refugee agency registered 4.8 million Syrian refugees.", publisher="UNHCR", published="2016-03-01"
    ),
]
CLAIMS = [
    "Russia began air strikes in Syria in 2015",
    "Minsk is the capital of Belarus",
    "UNHCR registered millions of Syrian refugees",
    "Minsk is not in Belarus",
]


def make_store(path: Path) -> str:
    desk = Desk(db=str(path), embedder=FakeEmbedder(), stance_model=FakeStanceModel(), aggregator=Aggregator())
    assert desk.ingest(EVIDENCE).documents_added == len(EVIDENCE)
    desk.close()
    return str(path)


def fake_factory(db: str) -> Any:
    """A picklable desk factory with the fake models (the pool and Ray workers rebuild it)."""
    return functools.partial(
        Desk, db=db, embedder=FakeEmbedder(), stance_model=FakeStanceModel(), aggregator=Aggregator()
    )


def write_claims(path: Path, n: int) -> list[str]:
    ids = []
    with path.open("w") as f:
        for i in range(n):
            ids.append(f"c{i}")
            f.write(
                json.dumps(
                    {
                        "id": f"c{i}",
                        "claim": CLAIMS[i % len(CLAIMS)] + f" (item {i})",
                        "speaker": "Someone",
                        "date": "2021-12-14",
                    }
                )
                + "\n"
            )
    return ids


def results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return make_store(tmp_path / "evidence.db")


# --- input parsing ---------------------------------------------------------------------------
def test_parse_claim_line_accepts_and_rejects() -> None:
    item = parse_claim_line('{"id": 7, "text": "Minsk is in Belarus", "date": "2020-01-01"}', 1)
    assert not hasattr(item, "reason")
    assert item.input_id == "7" and item.claim.text == "Minsk is in Belarus"  # type: ignore[union-attr]
    no_id = parse_claim_line('{"claim": "Minsk is in Belarus"}', 2)
    assert no_id.input_id == Claim("Minsk is in Belarus").id  # type: ignore[union-attr]
    for bad, why in [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"claim": ""}', 'no "claim"'),
        ('{"claim": "x y", "date": "yesterday"}', "cannot read date"),
        ('{"claim": "x y", "date": "2021-02-30"}', "cannot read date '2021-02-30'"),
        ('{"claim": "   "}', 'no "claim"'),
        ('{"claim": "x y", "speaker": 3}', "must be a string"),
        ('{"claim": "x y", "id": [1]}', "must be a string or an integer"),
    ]:
        got = parse_claim_line(bad, 9)
        assert getattr(got, "line", None) == 9 and why in got.reason, bad  # type: ignore[union-attr]


def test_claims_reach_the_desk_as_claim_objects_in_process(tmp_path: Path, db: str) -> None:
    seen: list[Any] = []

    class Recording(Desk):
        def check(self, claim: Any, top_k: int = 8, before: Any = None) -> Any:
            seen.append(claim)
            return super().check(claim, top_k=top_k, before=before)

    claims, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    claims.write_text(json.dumps({"id": "a", "claim": CLAIMS[0], "speaker": "S", "date": "2021-12-14"}) + "\n")
    factory = functools.partial(
        Recording, db=db, embedder=FakeEmbedder(), stance_model=FakeStanceModel(), aggregator=Aggregator()
    )
    assert run_batch(claims, out, desk_factory=factory, progress=False).checked == 1
    (claim,) = seen
    assert type(claim) is Claim and claim.speaker == "S" and str(claim.date) == "2021-12-14"


def test_read_claims_needs_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no claims file"):
        list(read_claims(tmp_path / "missing.jsonl"))


def test_completed_ids_cuts_a_half_written_last_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"input_id": "a"}\n{"input_id": "b"}\n{"input_id": "c", "clai')
    assert completed_ids(out) == {"a", "b"}
    assert out.read_text() == '{"input_id": "a"}\n{"input_id": "b"}\n'
    assert completed_ids(tmp_path / "none.jsonl") == set()


# --- local engine ------------------------------------------------------------------------------
def test_local_batch_writes_one_line_per_claim_and_reports_bad_lines(tmp_path: Path, db: str) -> None:
    claims = tmp_path / "claims.jsonl"
    lines = [
        json.dumps({"id": "a", "claim": CLAIMS[0], "speaker": "X", "date": "2021-12-14"}),
        "this is not json",
        json.dumps({"id": "b", "claim": CLAIMS[1]}),
        "",
        json.dumps({"id": "c", "claim": "   "}),
        json.dumps({"id": "a", "claim": CLAIMS[2]}),  # duplicate id
        json.dumps({"claim": CLAIMS[3]}),
    ]  # no id: the claim hash
    claims.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    messages: list[str] = []
    report = run_batch(claims, out, desk_factory=fake_factory(db), progress=False, on_skip=messages.append)
    assert (report.checked, report.duplicates, report.failed) == (3, 1, [])
    assert [b.line for b in report.bad_lines] == [2, 5]
    assert any("line 2" in m for m in messages) and any("line 6" in m for m in messages)
    rows = results(out)
    assert [r["input_id"] for r in rows] == ["a", "b", Claim(CLAIMS[3]).id]
    first = rows[0]
    assert first["claim"]["text"] == CLAIMS[0] and first["claim"]["speaker"] == "X"
    assert first["verdict"] and first["evidence"]  # the full FactCheck.to_dict()
    assert first["evidence"][0]["publisher"] == "Reuters"


def test_rerun_skips_done_ids(tmp_path: Path, db: str) -> None:
    claims, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    ids = write_claims(claims, 5)
    assert run_batch(claims, out, desk_factory=fake_factory(db), progress=False).checked == 5
    again = run_batch(claims, out, desk_factory=fake_factory(db), progress=False)
    assert (again.checked, again.already_done) == (0, 5)
    assert [r["input_id"] for r in results(out)] == ids


def test_a_failing_claim_is_reported_not_written(tmp_path: Path, db: str) -> None:
    class Exploding(FakeStanceModel):
        def predict(self, pairs: Any) -> Any:
            if any("explode" in c for c, _ in pairs):
                raise RuntimeError("model crashed")
            return super().predict(pairs)

    claims, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    claims.write_text(
        json.dumps({"id": "ok", "claim": CLAIMS[0]})
        + "\n"
        + json.dumps({"id": "bad", "claim": "Russia air strikes explode"})
        + "\n"
    )
    factory = functools.partial(Desk, db=db, embedder=FakeEmbedder(), stance_model=Exploding(), aggregator=Aggregator())
    report = run_batch(claims, out, desk_factory=factory, progress=False)
    assert report.checked == 1 and report.failed[0][0] == "bad" and "model crashed" in report.failed[0][1]
    assert [r["input_id"] for r in results(out)] == ["ok"]


def test_local_process_pool_matches_in_process(tmp_path: Path, db: str) -> None:
    claims = tmp_path / "claims.jsonl"
    ids = write_claims(claims, 8)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch(claims, one, desk_factory=fake_factory(db), progress=False)
    report = run_batch(claims, two, desk_factory=fake_factory(db), workers=2, progress=False)
    assert report.checked == 8
    by_id = {r["input_id"]: r for r in results(two)}
    assert sorted(by_id) == sorted(ids)  # finish order may differ
    for r in results(one):
        assert by_id[r["input_id"]]["verdict"] == r["verdict"]
        assert [e["passage_id"] for e in by_id[r["input_id"]]["evidence"]] == [e["passage_id"] for e in r["evidence"]]


def test_bad_arguments_say_what_to_do(tmp_path: Path, db: str) -> None:
    claims = tmp_path / "claims.jsonl"
    write_claims(claims, 1)
    with pytest.raises(InputError, match="choose one of local, ray"):
        run_batch(claims, tmp_path / "o.jsonl", engine="spark", desk_factory=fake_factory(db))
    with pytest.raises(InputError, match="at least 1"):
        run_batch(claims, tmp_path / "o.jsonl", workers=0, desk_factory=fake_factory(db))
    with pytest.raises(InputError, match="does not exist"):
        run_batch(claims, tmp_path / "no" / "o.jsonl", desk_factory=fake_factory(db))


# --- resume after a kill ------------------------------------------------------------------------
SLOW_RUN = """
import functools, sys, time
from factdesk.batch import run_batch
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
sys.path.insert(0, sys.argv[4])
from test_batch import Aggregator

class Slow(FakeStanceModel):
    def predict(self, pairs):
        time.sleep(0.15)
        return super().predict(pairs)

factory = functools.partial(Desk, db=sys.argv[1], embedder=FakeEmbedder(), stance_model=Slow(), aggregator=Aggregator())
run_batch(sys.argv[2], sys.argv[3], desk_factory=factory, progress=False)
"""


def test_resume_after_kill_leaves_no_duplicates(tmp_path: Path, db: str) -> None:
    claims, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    ids = write_claims(claims, 40)
    script = tmp_path / "slow_run.py"
    script.write_text(SLOW_RUN)
    proc = subprocess.Popen(
        [sys.executable, str(script), db, str(claims), str(out), str(Path(__file__).parent)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.exists() and out.read_text().count("\n") >= 5:
                break
            if proc.poll() is not None:
                pytest.fail(f"the batch ended early: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.05)
        else:
            pytest.fail("the batch wrote nothing in 120 s")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    written = out.read_text().count("\n")
    assert 5 <= written < 40, "the kill came too late to test resuming"
    with out.open("a") as f:  # what a kill in the middle of a write leaves behind
        f.write('{"input_id": "c39", "claim": {"text": "half a li')

    report = run_batch(claims, out, desk_factory=fake_factory(db), progress=False)
    assert report.already_done == written and report.checked == 40 - written
    got = [r["input_id"] for r in results(out)]  # every line parses: the fragment was cut off
    assert len(got) == len(set(got)) == 40
    assert sorted(got) == sorted(ids)


# --- CLI ---------------------------------------------------------------------------------------
def test_cli_batch_with_an_injected_desk(tmp_path: Path, db: str) -> None:
    from factdesk.app.cli import main

    claims, out = tmp_path / "claims.jsonl", tmp_path / "out.jsonl"
    write_claims(claims, 3)
    with claims.open("a") as f:
        f.write("{broken\n")
    runner = CliRunner()
    res = runner.invoke(
        main,
        ["batch", str(claims), "--out", str(out), "--no-progress", "--top-k", "2"],
        obj={"desk_factory": fake_factory(db)},
    )
    assert res.exit_code == 0, res.output
    assert "3 claims checked" in res.output and "line 4: not JSON" in res.output
    assert all(len(r["evidence"]) <= 2 for r in results(out))
    res = runner.invoke(
        main, ["batch", str(claims), "--out", str(out), "--no-progress"], obj={"desk_factory": fake_factory(db)}
    )
    assert "0 claims checked" in res.output and "3 already in the output" in res.output


def test_cli_batch_without_a_store_says_ingest_first(tmp_path: Path) -> None:
    from factdesk.app.cli import main

    claims = tmp_path / "claims.jsonl"
    write_claims(claims, 1)
    res = CliRunner().invoke(
        main, ["batch", str(claims), "--out", str(tmp_path / "o.jsonl"), "--db", str(tmp_path / "none.db")]
    )
    assert res.exit_code == 2 and "factdesk ingest" in res.output


# --- Ray ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def local_ray() -> Any:
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'factdesk[ray]' to test --engine ray")
    pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'ray[data]'")
    # The pool's actors unpickle the factory; they import this module's Aggregator by value.
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray Data's own context settings
def test_ray_batch_matches_local(tmp_path: Path, db: str, local_ray: Any) -> None:
    claims = tmp_path / "claims.jsonl"
    ids = write_claims(claims, 10)
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch(claims, local, desk_factory=fake_factory(db), progress=False)
    distributed.write_text(local.read_text().splitlines()[0] + "\n")  # as if c0 was done by an earlier run
    report = run_batch(claims, distributed, engine="ray", workers=2, desk_factory=fake_factory(db), progress=False)
    assert (report.checked, report.already_done, report.failed) == (9, 1, [])
    by_id = {r["input_id"]: r for r in results(distributed)}
    assert sorted(by_id) == sorted(ids)
    for r in results(local)[1:]:
        assert by_id[r["input_id"]]["verdict"] == r["verdict"]
        assert [e["passage_id"] for e in by_id[r["input_id"]]["evidence"]] == [e["passage_id"] for e in r["evidence"]]
