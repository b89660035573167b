"""`sanctuary content check`: one fixture per kind of problem; each problem names its file and line."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import SCHEMA_DIR
from bot.content.check import check
from bot.content.cli import build_parser, main
from bot.core.knowledge import ContentError, KnowledgeBase

FIXTURES = Path(__file__).parent / "fixtures" / "content"
GOOD = FIXTURES / "good"
ERRORS = sorted(p.name for p in (FIXTURES / "errors").iterdir() if p.is_dir())
TODAY = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parents[1]


def build(tmp_path: Path, kind: str | None = None) -> Path:
    """The good fixture with the files of errors/<kind> laid over it, in <tmp>/content."""
    target = tmp_path / "content"
    shutil.copytree(GOOD, target)
    if kind:
        overlay = FIXTURES / "errors" / kind
        for f in overlay.rglob("*.yml"):
            if f.name != "expected.yml":
                dst = target / f.relative_to(overlay)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dst)
    return target


def expected(kind: str) -> dict:
    return yaml.safe_load((FIXTURES / "errors" / kind / "expected.yml").read_text(encoding="utf-8"))


def test_there_is_a_fixture_per_kind_of_error():
    assert len(ERRORS) >= 15


def test_good_content_passes(tmp_path, capsys):
    folder = build(tmp_path)
    assert check(folder, today=TODAY) == []
    assert main(["check", "--content-dir", str(folder), "--today", TODAY.isoformat()]) == 0
    assert "All content checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ERRORS)
def test_each_error_is_found_with_file_and_line(tmp_path, kind):
    folder = build(tmp_path, kind)
    exp = expected(kind)
    problems = check(folder, today=TODAY)
    hits = [p for p in problems if exp["message"] in p.message]
    assert hits, f"{kind}: expected '{exp['message']}', got:\n" + "\n".join(map(str, problems))
    p = hits[0]
    assert p.file == f"content/{exp['file']}"
    assert p.line == exp["line"], str(p)
    assert p.severity == exp["severity"]
    assert p.fix, "every problem tells the editor how to fix it"


@pytest.mark.parametrize("kind", ERRORS)
def test_exit_code(tmp_path, kind, capsys):
    folder = build(tmp_path, kind)
    code = main(["content", "check", "--content-dir", str(folder), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out
    exp = expected(kind)
    assert code == (1 if exp["severity"] == "error" else 0)
    # the printed line names file and line the way editors open them
    where = f"content/{exp['file']}:{exp['line']}" if exp["line"] else f"content/{exp['file']}"
    assert where in out
    assert "Fix:" in out


@pytest.mark.parametrize("kind", ERRORS)
def test_the_bot_refuses_what_the_check_refuses(tmp_path, kind):
    """English, ui and directory errors stop loading; translation errors only stop that translation."""
    folder = build(tmp_path, kind)
    exp = expected(kind)
    if exp["severity"] == "warning":
        KnowledgeBase.load(folder)
    elif exp["file"].startswith("translations/"):
        kb = KnowledgeBase.load(folder)
        assert any(p.is_error and exp["message"] in p.message for p in kb.problems)
    else:
        with pytest.raises(ContentError):
            KnowledgeBase.load(folder)


def test_review_date_passed_is_only_a_warning(tmp_path):
    folder = build(tmp_path)
    problems = check(folder, today=dt.date(2027, 12, 1))
    due = [p for p in problems if "was due for review" in p.message]
    assert due and all(not p.is_error for p in due)
    assert due[0].line == 6  # gp_registration review_by


def test_directory_not_verified_for_six_months_is_a_warning(tmp_path):
    folder = build(tmp_path)
    problems = check(folder, today=dt.date(2027, 6, 1))
    stale = [p for p in problems if "was last checked" in p.message]
    assert stale and all(not p.is_error for p in stale)


def test_topics_copy_must_mirror_the_shared_contract(tmp_path):
    folder = build(tmp_path)
    shared = tmp_path / "shared_topics.yml"
    shutil.copyfile(GOOD / "topics.yml", shared)
    assert check(folder, today=TODAY, shared=shared) == []
    data = yaml.safe_load(shared.read_text(encoding="utf-8"))
    data["topics"]["nhs_number"] = {"scope": "What an NHS number is."}
    shared.write_text(yaml.safe_dump(data), encoding="utf-8")
    problems = [p for p in check(folder, today=TODAY, shared=shared) if p.is_error]
    assert problems and problems[0].file == "content/topics.yml" and "nhs_number" in problems[0].message


def test_schemas_are_valid_json_schemas():
    import jsonschema

    names = sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json"))
    assert names == ["directory.schema.json", "knowledge.schema.json", "translation.schema.json", "ui.schema.json"]
    for name in names:
        schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)


def test_cli_register_adds_content_commands():
    import argparse

    parser = argparse.ArgumentParser(prog="sanctuary")
    from bot.content.cli import register

    register(parser.add_subparsers(dest="command"))
    for argv in (["content", "check"], ["content", "report", "--html", "x.html"],
                 ["content", "export-po", "--lang", "ar", "--out", "ar.po"], ["content", "import-po", "ar.po"]):
        args = parser.parse_args(argv)
        assert callable(args.func)
    assert build_parser().parse_args(["content", "--content-dir", "x", "check"]).content_dir == "x"
    assert build_parser().parse_args(["content", "check", "--content-dir", "y"]).content_dir == "y"


def test_repository_content_has_no_errors():
    if not (REPO / "content" / "knowledge.yml").exists():
        pytest.skip("content/knowledge.yml not written yet")
    errors = [p for p in check(REPO / "content") if p.is_error]
    assert errors == [], "\n".join(map(str, errors))
