"""``sanctuary content check``: is the content safe to serve?

Runs, in order:

1. the JSON Schemas in ``bot/content/schema/`` (shape of every file, with ``jsonschema``);
2. the cross-checks of the plain core (``bot.core.knowledge.find_problems``): every topic in
   ``content/topics.yml`` answered in English, follow-up buttons pointing at real topics,
   links, dates and review dates, UK phone numbers, message lengths, translations keeping the
   English's message count, ``{placeholders}`` and phone numbers, the directory;
3. when ``../shared/topics.yml`` is present (CI), that ``content/topics.yml`` still mirrors it.

Every problem names the file, the line, what is wrong and how to fix it. Exit code 1 when
there is at least one error, 0 when there are only warnings (or nothing).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.content import SCHEMA_DIR
from bot.core.knowledge import Problem, YamlFile, default_content_dir, find_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_TOPICS = REPO_ROOT.parent / "shared" / "topics.yml"

_TYPE_WORDS = {"string": "a text", "array": "a list", "object": "a section with named fields",
               "integer": "a whole number", "number": "a number", "boolean": "yes/no", "null": "empty"}


@lru_cache(maxsize=None)
def _validator(name: str):
    import jsonschema

    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _jsonable(value: Any) -> Any:
    """YAML data as JSON data: dates become ISO text, keys become text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _label(path: Iterable[Any]) -> str:
    parts = []
    for p in path:
        parts.append(f"#{p + 1}" if isinstance(p, int) else str(p))
    return " > ".join(parts) if parts else "the file"


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_WORDS.get(n, n) for n in names)


def _plain(error) -> tuple[tuple, str, str, str]:
    """(path, message, fix, severity) for one jsonschema error, in editors' words."""
    path = tuple(error.absolute_path)
    where = _label(path)
    v, arg = error.validator, error.validator_value
    if v == "required":
        missing = [m for m in arg if isinstance(error.instance, dict) and m not in error.instance]
        name = missing[0] if missing else error.message.split("'")[1]
        return path, f"{where}: '{name}' is missing", f"Add '{name}:' here (see docs/KNOWLEDGE_SCHEMA.md).", "error"
    if v == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        extra = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        hint = f" Fields allowed here: {', '.join(allowed)}." if allowed else ""
        return (path + (name,), f"{where}: unknown field '{name}' (the bot ignores it)",
                f"Check the spelling.{hint}", "warning")
    if v == "type":
        return path, f"{where} should be {_types(arg)}", (
            "Put text in quotes; start list items with '- '; indent named fields under their section."), "error"
    if v == "minItems":
        return path, f"{where} needs at least {arg} item(s)", "Add the missing item.", "error"
    if v == "maxItems":
        return path, f"{where} has more than {arg} items", f"Keep at most {arg}.", "warning"
    if v == "minLength":
        return path, f"{where} is empty", "Write the text, or remove the field.", "error"
    if v == "maxLength":
        return path, f"{where} is longer than {arg} characters", "Split or shorten it.", "error"
    if v == "pattern":
        if "[0-9]{4}" in str(arg):
            return path, f"{where}: '{error.instance}' is not a date", "Write dates as YYYY-MM-DD.", "error"
        if "https?" in str(arg):
            return path, f"{where}: '{error.instance}' is not a web address", "Start it with https://.", "error"
        return path, f"{where}: '{error.instance}' is not in the expected form", (
            "Ids are lower-case words joined by '_'; postcode areas are capital letters (LS), districts "
            "like LS29."), "error"
    if v in ("enum", "const"):
        options = arg if isinstance(arg, list) else [arg]
        return path, f"{where}: '{error.instance}' is not allowed", (
            "Use " + " or ".join(repr(o) for o in options) + "."), "error"
    if v == "propertyNames":
        return (path + (str(error.instance),), f"{where}: the name '{error.instance}' is not allowed",
                "Ids are lower-case words joined by '_'; postcode areas are capital letters (LS), districts "
                "like LS29.", "error")
    if v == "uniqueItems":
        return path, f"{where} lists the same item twice", "Remove the repeat.", "warning"
    if v == "anyOf":
        return path, f"{where}: '{error.instance}' is not valid here", (
            "Dates are YYYY-MM-DD (or 'undated' for sources); see docs/KNOWLEDGE_SCHEMA.md."), "error"
    if v == "minProperties":
        return path, f"{where} is empty", "Add at least one entry.", "error"
    return path, f"{where}: {error.message}", "See docs/KNOWLEDGE_SCHEMA.md.", "error"


def _schema_for(rel_in_content: str) -> str | None:
    if rel_in_content == "knowledge.yml":
        return "knowledge"
    if rel_in_content == "ui.yml":
        return "ui"
    if rel_in_content.startswith("translations/") and rel_in_content.endswith(".yml"):
        return "translation"
    if rel_in_content.startswith("directory/") and rel_in_content.endswith(".yml"):
        return "directory"
    return None


def schema_problems(content_dir: Path) -> list[Problem]:
    """Problems found by the JSON Schemas (files that do not parse are left to the core)."""
    problems: list[Problem] = []
    paths = [content_dir / "knowledge.yml", content_dir / "ui.yml",
             *sorted((content_dir / "translations").glob("*.yml")),
             *sorted((content_dir / "directory").glob("*.yml"))]
    for path in paths:
        if not path.exists():
            continue
        name = _schema_for(path.relative_to(content_dir).as_posix())
        try:
            rel = path.relative_to(content_dir.parent).as_posix()
        except ValueError:
            rel = path.as_posix()
        f = YamlFile(path, rel)
        if f.error or f.data is None:
            continue
        validator = _validator(name)
        for error in sorted(validator.iter_errors(_jsonable(f.data)), key=lambda e: list(map(str, e.absolute_path))):
            epath, message, fix, severity = _plain(error)
            problems.append(Problem(rel, f.line(*epath), message, fix, severity))
    return problems


def shared_problems(content_dir: Path, shared: Path) -> list[Problem]:
    """content/topics.yml must mirror ../shared/topics.yml (same topics, same languages)."""
    mine = content_dir / "topics.yml"
    rel = "content/topics.yml"
    if not shared.exists():
        return []
    if not mine.exists():
        return [Problem(rel, None, "content/topics.yml is missing",
                        f"Copy {shared} to content/topics.yml (keep the header comment).")]
    try:
        a = yaml.safe_load(mine.read_text(encoding="utf-8")) or {}
        b = yaml.safe_load(shared.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return []  # reported by the core
    out = []
    ta, tb = list((a.get("topics") or {})), list((b.get("topics") or {}))
    if ta != tb or a.get("topics") != b.get("topics"):
        gone = [t for t in tb if t not in ta]
        extra = [t for t in ta if t not in tb]
        detail = (f" missing: {', '.join(gone)}." if gone else "") + (f" not in the contract: {', '.join(extra)}."
                                                                        if extra else "")
        out.append(Problem(rel, 1, f"content/topics.yml no longer mirrors the shared topic contract.{detail}",
                           f"Copy {shared} over content/topics.yml again (keep the header comment)."))
    if list((a.get("languages") or {})) != list((b.get("languages") or {})):
        out.append(Problem(rel, 1, "the languages in content/topics.yml differ from the shared contract",
                           f"Copy {shared} over content/topics.yml again."))
    if not out and not mine.read_text(encoding="utf-8").endswith(shared.read_text(encoding="utf-8")):
        out.append(Problem(rel, 1, "content/topics.yml is not a verbatim copy of the shared contract",
                           f"Copy {shared} over content/topics.yml again.", "warning"))
    return out


def check(content_dir: Path | None = None, *, today: dt.date | None = None,
          shared: Path | None = None) -> list[Problem]:
    """All problems, sorted by file and line. ``shared`` defaults to ../shared/topics.yml when checking
    the repository's own content folder."""
    content_dir = Path(content_dir) if content_dir else default_content_dir()
    core = find_problems(content_dir, today)
    schema = schema_problems(content_dir) if content_dir.is_dir() else []
    # The core's messages are written for editors: keep a schema message only where the core
    # says nothing about that line.
    taken = {(p.file, p.line) for p in core}
    merged = core + [p for p in schema if (p.file, p.line) not in taken]
    if shared is None and content_dir.resolve() == (REPO_ROOT / "content").resolve():
        shared = SHARED_TOPICS
    if shared is not None:
        merged += shared_problems(content_dir, Path(shared))
    seen, out = set(), []
    for p in merged:
        key = (p.file, p.line, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    order = {"knowledge.yml": 0, "ui.yml": 1, "topics.yml": 2}
    out.sort(key=lambda p: (order.get(Path(p.file).name, 3) if "/" not in p.file.split("content/", 1)[-1]
                            else 4, p.file, p.line or 0))
    return out


def print_problems(problems: list[Problem], out=None) -> tuple[int, int]:
    out = out or sys.stdout
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    for p in problems:
        print(str(p), file=out)
    if errors:
        print(f"\n{len(errors)} error(s), {len(warnings)} warning(s). Fix the errors: the bot will not "
              "serve this content.", file=out)
    elif warnings:
        print(f"\nNo errors, {len(warnings)} warning(s). The content can be served.", file=out)
    else:
        print("All content checks passed.", file=out)
    return len(errors), len(warnings)


def run(args: argparse.Namespace) -> int:
    today = dt.date.fromisoformat(args.today) if getattr(args, "today", None) else None
    content_dir = Path(args.content_dir) if getattr(args, "content_dir", None) else None
    shared = Path(args.shared) if getattr(args, "shared", None) else None
    problems = check(content_dir, today=today, shared=shared)
    if getattr(args, "errors_only", False):
        problems = [p for p in problems if p.is_error]
    errors, _ = print_problems(problems)
    return 1 if errors else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--errors-only", action="store_true", help="do not print warnings")
    parser.add_argument("--shared", help="the shared topic contract to compare with (default ../shared/topics.yml)")
    parser.add_argument("--today", help=argparse.SUPPRESS)


if __name__ == "__main__":  # pragma: no cover
    from bot.content.cli import main

    sys.exit(main(["check", *sys.argv[1:]]))
