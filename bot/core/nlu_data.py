"""Reading Rasa NLU files (nlu/<lang>.yml, tests/nlu_heldout/<lang>.yml) as plain examples.

One reader for the language detector, `sanctuary eval` and the tests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import yaml

_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # "[Leeds](place)" -> "Leeds"


@dataclass(frozen=True)
class Example:
    lang: str
    intent: str
    text: str


def read_file(path: Path) -> List[Example]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(Path(path).stem, block["intent"], _ANNOTATION.sub(r"\1", line[2:].strip())))
    return examples


def read_examples(directory: Path) -> List[Example]:
    """Every example in every <lang>.yml of `directory`, in file order."""
    return [e for path in sorted(Path(directory).glob("*.yml")) for e in read_file(path)]


def texts_by_language(directory: Path) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for example in read_examples(directory):
        out.setdefault(example.lang, []).append(example.text)
    return out
