"""Every environment variable the code reads is documented, and every CLI command too."""
from __future__ import annotations

import re

from bot.cli import build_parser
from bot.core.settings import repo_root

ROOT = repo_root()


def documented() -> str:
    return (ROOT / "README.md").read_text() + (ROOT / "docs" / "DEPLOY.md").read_text()


def test_every_environment_variable_read_is_documented():
    names = set()
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "actions").rglob("*.py")):
        names |= set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    names -= {"RASA_TELEMETRY_ENABLED"}  # set by us for Rasa, not a setting
    assert names, "expected to find settings"
    missing = sorted(n for n in names if n not in documented())
    assert not missing, missing


def test_every_command_is_in_the_readme():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    readme = (ROOT / "README.md").read_text() + (ROOT / "docs" / "DEPLOY.md").read_text()
    missing = [c for c in commands if f"sanctuary {c}" not in readme]
    assert not missing, missing
