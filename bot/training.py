"""Training the Rasa model into models/, only when the training data changed.

A quick hash of everything training reads (config, domain, NLU data, stories and
the classifier's and normaliser's code) is kept beside the model, so an unchanged
project starts at once. When it changed, `rasa train --force` runs (about a minute).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List, Optional

from bot.core.settings import repo_root
from bot.processes import child_env

MODEL_NAME = "sanctuary"
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu", "stories", "bot/rasa_ext/classifier.py", "bot/core/normalize.py",
                   "bot/core/fast_scoring.py")


def _files(root: Path, names: Iterable[str]) -> List[Path]:
    files: List[Path] = []
    for name in names:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def training_fingerprint(root: Optional[Path] = None) -> str:
    root = root or repo_root()
    digest = hashlib.sha256()
    for path in _files(root, TRAINING_INPUTS):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def model_path(model_dir: Path) -> Path:
    return Path(model_dir) / f"{MODEL_NAME}.tar.gz"


def model_is_current(model_dir: Path) -> bool:
    stamp = Path(model_dir) / f"{MODEL_NAME}.fingerprint"
    return model_path(model_dir).exists() and stamp.exists() and stamp.read_text().strip() == training_fingerprint()


def train(model_dir: Path, force: bool = False) -> Path:
    """Train (if needed) and return the model path. Raises RuntimeError on failure."""
    model_dir = Path(model_dir)
    if not force and model_is_current(model_dir):
        return model_path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = training_fingerprint()
    command = [
        sys.executable, "-m", "rasa", "train", "--data", "nlu", "stories", "--config", "config.yml",
        "--domain", "domain.yml", "--out", str(model_dir), "--fixed-model-name", MODEL_NAME,
        # Always from scratch: Rasa's cache keys on config and data, not on our component's
        # code, so after a change to the classifier it could reuse a stale trained part.
        "--force",
    ]
    started = time.monotonic()
    # Training output goes to stderr so `sanctuary ask --json` keeps stdout for JSON lines.
    result = subprocess.run(command, cwd=repo_root(), env=child_env(), stdout=sys.stderr, stderr=sys.stderr)
    if result.returncode != 0 or not model_path(model_dir).exists():
        raise RuntimeError("rasa train failed; run `sanctuary train` to see why")
    (model_dir / f"{MODEL_NAME}.fingerprint").write_text(fingerprint)
    from bot.core.language import LanguageDetector

    LanguageDetector.cached(repo_root() / "nlu", model_dir)  # so the front end starts small and fast
    print(f"Model trained in {time.monotonic() - started:.0f} s: {model_path(model_dir)}", file=sys.stderr)
    return model_path(model_dir)
