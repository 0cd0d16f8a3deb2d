"""`citycoop recommend CITY` lists partners with their reasons from the records;
`citycoop recommend --evaluate FILE` prints the leave-one-out figures as JSON without any
database; unknown cities, programmes and malformed files are refused with a message."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .test_partner_evaluation import synthetic

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recommend", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def shell(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["CITYCOOP_DATA_DIR"] = str(data_dir)
    env.pop("CITYCOOP_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "citycoop", "recommend", *args], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_evaluate_prints_one_json_object_without_a_database(tmp_path):
    pairings = tmp_path / "pairings.json"
    pairings.write_text(json.dumps(synthetic()), encoding="utf-8")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    result = shell("--evaluate", str(pairings), "--seed", "7", "--no-embeddings",
                   data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert {"n", "recall_at_5", "recall_at_10", "mrr", "baselines"} <= set(figures)
    assert set(figures["baselines"]) == {"random", "popularity"}
    assert figures["n"] == 7 and figures["baselines"]["random"]["simulated"]["seed"] == 7
    assert not list(data_dir.glob("*.sqlite3"))  # no database was created or opened


def test_evaluate_refuses_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pairings": [{"eu": "Lyon", "partner": ["Kobe", "JP"]}]}))
    with pytest.raises(CommandError, match=r"bad.json: pairings\[0\].eu: must be"):
        run("--evaluate", str(bad))
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        run("--evaluate", str(bad))
    with pytest.raises(CommandError, match="No such file"):
        run("--evaluate", str(tmp_path / "missing.json"))


def test_evaluate_with_ablation_adds_the_variants(tmp_path):
    pairings = tmp_path / "pairings.json"
    pairings.write_text(json.dumps(synthetic()), encoding="utf-8")
    figures = json.loads(run("--evaluate", str(pairings), "--ablation", "--no-embeddings"))
    assert "without tfidf" in figures["ablations"]


def test_a_city_or_evaluate_is_needed_but_not_both(tmp_path):
    with pytest.raises(CommandError, match="name a city"):
        run()
    with pytest.raises(CommandError, match="not both"):
        run("keele", "--evaluate", str(tmp_path / "x.json"))


@pytest.mark.django_db
def test_partners_come_with_their_reasons_as_json(demo):
    output = json.loads(run("keele", "--format", "json", "--top", "3", "--no-embeddings"))
    assert output["city"] == {"key": "keele", "name": "Keele", "country": "GB", "side": "eu"}
    found = output["recommendations"]
    assert [r["rank"] for r in found] == [1, 2, 3]
    assert {r["key"] for r in found[:2]} == {"guangzhou", "tianjin"}
    tianjin = next(r for r in found if r["key"] == "tianjin")
    assert "Keele University already works with Tianjin partners" in [
        reason["text"] for reason in tianjin["reasons"]]
    assert all(r["country"] != "GB" for r in found)  # the other side only


@pytest.mark.django_db
def test_current_partners_are_left_out_unless_a_programme_is_named(demo):
    plain = run("west-midlands", "--no-embeddings")
    assert plain.startswith("Partners for West Midlands (GB):")
    assert re.search(r"^  1\. .+ \((?:CN|IN), [a-z-]+\), score [\d.]+$", plain, re.M)
    keys = {r["key"] for r in json.loads(run("west-midlands", "--format", "json",
                                             "--top", "50", "--no-embeddings"))["recommendations"]}
    assert keys and not keys & {"tianjin", "guangzhou"}
    later = run("West Midlands", "--programme", "iuc-2016-2019", "--top", "2", "--no-embeddings")
    assert "already worked with you (World Cities)" in later


@pytest.mark.django_db
def test_rules_from_the_command_line(demo):
    output = json.loads(run("dublin", "--format", "json", "--country", "in",
                            "--min-population", "2000000", "--no-embeddings"))
    assert output["recommendations"]
    assert {r["country"] for r in output["recommendations"]} == {"IN"}
    assert "chandigarh" not in {r["key"] for r in output["recommendations"]}  # 1.0 million


@pytest.mark.django_db
def test_unknown_cities_and_programmes_are_refused(demo):
    with pytest.raises(CommandError, match="unknown city 'Atlantis'"):
        run("Atlantis")
    with pytest.raises(CommandError, match="did you mean navi-mumbai"):
        run("Navi")
    with pytest.raises(CommandError, match="unknown programme 'nope'"):
        run("keele", "--programme", "nope")
