"""The safety answer still goes out, in the user's language, when the other parts fail:
no Rasa model (still loading or gone), no action server / worker, a broken knowledge file."""
from __future__ import annotations

import shutil

import pytest

from bot.core import safety
from bot.core.knowledge import LANGUAGES, KnowledgeStore
from bot.core.language import LanguageDetector
from bot.core.privacy import Pseudonymiser
from bot.core.settings import content_dir, repo_root
from bot.engine import Engine
from bot.workers import WorkerPool

CRISIS = {
    "en": "I want to kill myself", "ar": "أريد أن أقتل نفسي", "fa": "میخوام خودکشی کنم", "fr": "je veux me suicider",
    "uk": "я хочу покінчити з собою", "ur": "میں خودکشی کرنا چاہتا ہوں",
}


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector.from_nlu_dir(repo_root() / "nlu")


def make_engine(detector, pool=None, content=None, ready=False) -> Engine:
    engine = Engine(pool, KnowledgeStore(content or content_dir()), detector, Pseudonymiser("k"))
    engine.worker_ready = ready
    return engine


@pytest.mark.parametrize("lang", sorted(CRISIS))
async def test_no_model_loaded_yet(detector, lang):
    engine = make_engine(detector, pool=None, ready=False)
    reply = await engine.handle("u1", CRISIS[lang], lang=lang)
    assert reply.topic == "crisis"
    assert reply.messages[0].text == safety.safety_messages("crisis", lang)[0]


async def test_workers_and_action_server_unreachable(detector):
    pool = WorkerPool(["http://127.0.0.1:9"], timeout=2)  # nothing listens on the discard port
    engine = make_engine(detector, pool=pool, ready=True)
    reply = await engine.handle("u2", "my husband has chest pain and can't breathe", lang="en")
    assert reply.topic == "emergency" and "999" in reply.messages[0].text
    ordinary = await engine.handle("u2", "how do I register with a GP", lang="en")
    assert ordinary.messages and ordinary.messages[0].text  # a kind error, not a crash
    await pool.close()


async def test_knowledge_file_broken(detector, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(content_dir(), broken)
    (broken / "knowledge.yml").write_text("topics: [this is: not valid", encoding="utf-8")
    engine = make_engine(detector, pool=None, content=broken)
    for lang in ("en", "ar", "ti"):
        reply = await engine.handle(f"u3{lang}", CRISIS.get(lang, "I want to kill myself"), lang=lang)
        assert reply.topic == "crisis"
        assert "116 123" in reply.messages[0].text
    menu = engine.menu("en")
    assert menu.messages  # says something even without content


def test_every_language_has_a_safety_answer_with_every_number():
    for lang in LANGUAGES:
        for kind in ("crisis", "emergency"):
            text = "\n".join(safety.safety_messages(kind, lang))
            for number in ("999", "111", "116 123", "85258"):
                assert number in text, (lang, kind, number)
