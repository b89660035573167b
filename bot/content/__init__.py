"""Editors' content tools: ``sanctuary content check | report | export-po | import-po``.

The rules themselves live in the plain core (``bot.core.knowledge``) so that the running
bot refuses exactly what the check refuses; this package adds the JSON Schemas
(``schema/*.json``, validated with ``jsonschema``), the translators' .po round trip,
and the reports.
"""
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
