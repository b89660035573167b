"""The knowledge loader: answers, fallbacks, the directory and hot reload."""
from __future__ import annotations

import ast
import logging
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from bot.core import knowledge as K
from bot.core.knowledge import (LANGUAGES, RTL_LANGUAGES, Answer, ContentError, KnowledgeBase, KnowledgeStore,
                                Problem, normalize_language)

FIXTURES = Path(__file__).parent / "fixtures" / "content"
GOOD = FIXTURES / "good"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private, writable copy of the good fixture."""
    target = tmp_path / "content"
    shutil.copytree(GOOD, target)
    return target


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(GOOD)


def touch_later(path: Path) -> None:
    """Make sure the mtime moves on, even on file systems with coarse timestamps."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()


# --------------------------------------------------------------------------- languages


def test_languages_follow_the_contract():
    assert LANGUAGES[0] == "en"
    assert len(LANGUAGES) == 13
    assert set(LANGUAGES) == {"en", "ar", "fa", "ps", "ckb", "ti", "am", "so", "sq", "ur", "fr", "uk", "vi"}
    assert RTL_LANGUAGES == frozenset({"ar", "fa", "ps", "ckb", "ur"})


@pytest.mark.parametrize("code,expected", [("ar", "ar"), ("ar-SA", "ar"), ("AR_eg", "ar"), ("prs", "fa"),
                                           ("fa-AF", "fa"), ("ckb", "ckb"), ("uk-UA", "uk"), ("de", "en"),
                                           ("", "en"), (None, "en")])
def test_normalize_language(code, expected):
    assert normalize_language(code) == expected


# --------------------------------------------------------------------------- answers


def test_loads_topics_in_file_order(kb):
    assert kb.topic_ids == ["gp_registration", "interpreter", "crisis"]
    assert kb.has_topic("crisis") and not kb.has_topic("weather")
    assert [p for p in kb.problems if p.is_error] == []


def test_english_answer(kb):
    a = kb.answer("gp_registration", "en")
    assert isinstance(a, Answer)
    assert (a.language, a.status, a.title) == ("en", "reviewed", "Register with a GP")
    assert len(a.messages) == 2 and a.messages[0].startswith("Anyone in England")
    assert not a.messages[0].endswith("\n")
    assert a.related == [("interpreter", "Free interpreter"), ("crisis", "I need help now")]
    assert a.sources[0]["url"].startswith("https://www.bma.org.uk/")
    assert a.sources[0]["date"] == "2022-01-27"


def test_draft_translation_is_served_as_draft(kb):
    a = kb.answer("gp_registration", "ar")
    assert (a.language, a.status) == ("ar", "draft")
    assert a.title == "التسجيل لدى طبيب عام (GP)"
    assert "0808 1647 686" in a.messages[1]
    # related titles are in the user's language where translated, English otherwise
    assert a.related == [("interpreter", "Free interpreter"), ("crisis", "أحتاج إلى مساعدة الآن")]


def test_reviewed_translation(kb):
    a = kb.answer("crisis", "ar-SA")
    assert (a.language, a.status) == ("ar", "reviewed")
    assert "116 123" in a.messages[0]


def test_missing_translation_falls_back_to_english(kb):
    a = kb.answer("interpreter", "ar")
    assert (a.language, a.status) == ("en", "english_fallback")
    assert a.messages == kb.answer("interpreter", "en").messages
    assert kb.answer("crisis", "so").status == "english_fallback"
    assert kb.answer("interpreter", "fr").status == "reviewed"


def test_unknown_topic_raises_key_error(kb):
    with pytest.raises(KeyError):
        kb.answer("weather", "en")
    assert kb.title("weather", "en") == "weather"


def test_answers_are_copies(kb):
    kb.answer("crisis", "en").messages.append("tampered")
    assert "tampered" not in kb.answer("crisis", "en").messages


def test_title(kb):
    assert kb.title("crisis", "ar") == "أحتاج إلى مساعدة الآن"
    assert kb.title("crisis", "fr") == "I need help now"


def test_strings_fall_back_and_never_raise(kb):
    assert kb.string("welcome", "ar", name="Amal").startswith("مرحبًا Amal")
    assert kb.string("welcome", "fr", name="Amal") == "Hello Amal. I can help you use the NHS in England."
    assert kb.string("welcome", "en") == "Hello {name}. I can help you use the NHS in England."  # missing value kept
    assert kb.string("welcome", "en", other="x") == "Hello {name}. I can help you use the NHS in England."
    assert kb.string("no_such_key", "ar") == "no_such_key"
    assert kb.string("menu", "xx-YY") == "Menu"


def test_moves(kb):
    assert kb.move("greet", "ar") == ["مرحبًا! كيف يمكنني المساعدة؟"]
    assert kb.move("goodbye", "ar") == ["Take care."]
    assert kb.move("nonsense", "ar") == []


def test_bilingual_card(kb):
    text, english = kb.card("gp_registration", "reception", "ar")
    assert text.startswith("أود التسجيل") and english.startswith("I would like to register")
    assert kb.card("gp_registration", "reception", "fr") == (english, english)
    assert kb.card("gp_registration", "no_card", "ar") is None
    assert kb.card("crisis", "reception", "ar") is None


# --------------------------------------------------------------------------- the directory


@pytest.mark.parametrize("text,expected", [
    ("LS6 1AA", "Leeds"), ("ls29 8aa", "Bradford"), ("LS29", "Bradford"), ("hd6", "Calderdale"),
    ("HD1 2AB", "Kirklees"), ("I live in Halifax", "Calderdale"), ("ILKLEY", "Bradford"), ("BD", "Bradford"),
])
def test_lookup_place(kb, text, expected):
    assert kb.directory().lookup_place(text) == ("west_yorkshire_harrogate", expected)


@pytest.mark.parametrize("text", ["London", "SW1A 1AA", "", "hello"])
def test_lookup_place_unknown(kb, text):
    assert kb.directory().lookup_place(text) is None


def test_organisations_for(kb):
    d = kb.directory()
    assert [o.id for o in d.organisations_for("Leeds")] == ["solace", "doctors_of_the_world"]
    assert [o.id for o in d.organisations_for("Leeds", topic="gp_registration")] == ["doctors_of_the_world"]
    assert [o.id for o in d.organisations_for("Calderdale", topic="crisis")] == []
    assert d.nhs_body("Leeds") == "NHS West Yorkshire ICB"


# --------------------------------------------------------------------------- broken content


def test_invalid_english_raises_content_error_with_file_and_line(content):
    path = content / "knowledge.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("related: [interpreter, crisis]",
                                                             "related: [interpreter, nowhere]"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        KnowledgeBase.load(content)
    problem = info.value.problems[0]
    assert isinstance(problem, Problem)
    file, line, message, fix = problem  # unpacks as (file, line, message, fix)
    assert (file, line) == ("content/knowledge.yml", 11)
    assert "nowhere" in message and fix


def test_broken_translation_is_served_in_english(content):
    path = content / "translations" / "ar.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data.replace("0808 1647 686", "0808 1647"), encoding="utf-8")
    kb = KnowledgeBase.load(content)  # does not raise: the English is fine
    assert kb.answer("gp_registration", "ar").status == "english_fallback"
    assert kb.answer("crisis", "ar").status == "reviewed"  # the rest of the language still works
    assert kb.translation_broken("gp_registration", "ar")
    errors = [p for p in kb.problems if p.is_error]
    assert errors and errors[0].file == "content/translations/ar.yml" and errors[0].line == 12


def test_unreadable_translation_file_falls_back_to_english(content):
    (content / "translations" / "ar.yml").write_text("language: ar\ntopics: [\n", encoding="utf-8")
    kb = KnowledgeBase.load(content)
    assert kb.answer("crisis", "ar").status == "english_fallback"
    assert kb.string("welcome", "ar", name="A").startswith("Hello A")


def test_missing_content_dir():
    with pytest.raises(ContentError):
        KnowledgeBase.load(Path("/nonexistent/content"))


# --------------------------------------------------------------------------- hot reload


def test_hot_reload_serves_an_edit(content):
    store = KnowledgeStore(content, interval=0.1)
    assert store.current().answer("interpreter", "en").messages[0].startswith("The NHS should give you")
    path = content / "knowledge.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("The NHS should give you", "The NHS must offer you"),
                    encoding="utf-8")
    touch_later(path)
    assert wait_for(lambda: store.current().answer("interpreter", "en").messages[0].startswith("The NHS must offer"))


def test_hot_reload_refuses_a_broken_edit_and_keeps_the_last_good(content, caplog):
    store = KnowledgeStore(content, interval=0.1)
    first = store.current()
    path = content / "knowledge.yml"
    good_text = path.read_text(encoding="utf-8")
    caplog.set_level(logging.ERROR, logger="sanctuary.content")
    path.write_text(good_text.replace("    title: Free interpreter\n",
                                      "    title: Free interpreter\n   last_reviewed 2026-11-23\n"), encoding="utf-8")
    touch_later(path)
    assert wait_for(lambda: store.current() is first and store.last_error is not None)
    assert store.current() is first  # still serving the last good version
    assert store.current().answer("interpreter", "en").title == "Free interpreter"
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "sanctuary.content")
    assert "content/knowledge.yml:25" in logged and "YAML" in logged
    # the refusal is logged once, not every interval
    count = len(caplog.records)
    time.sleep(0.3)
    store.current()
    assert len(caplog.records) == count
    # fixing the file is picked up
    path.write_text(good_text.replace("Free interpreter", "Free interpreters"), encoding="utf-8")
    touch_later(path)
    assert wait_for(lambda: store.current().title("interpreter", "en") == "Free interpreters")
    assert store.last_error is None


def test_hot_reload_checks_at_most_every_interval(content):
    store = KnowledgeStore(content, interval=60)
    path = content / "knowledge.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Free interpreter", "Changed"), encoding="utf-8")
    touch_later(path)
    assert store.current().title("interpreter", "en") == "Free interpreter"  # not yet: interval not passed
    assert store.reload()
    assert store.current().title("interpreter", "en") == "Changed"


def test_hot_reload_sees_new_translation_file(content):
    store = KnowledgeStore(content, interval=0.1)
    assert store.current().answer("crisis", "fr").status == "english_fallback"
    src = (content / "translations" / "fr.yml")
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["topics"]["crisis"] = {"status": "draft", "title": "J'ai besoin d'aide maintenant", "messages": [
        "Si vous êtes en danger maintenant, appelez le 999.\nAppelez Samaritans gratuitement au 116 123.\n"
        "Envoyez SHOUT par SMS au 85258."]}
    src.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    touch_later(src)
    assert wait_for(lambda: store.current().answer("crisis", "fr").status == "draft")


def test_broken_content_at_start_up_raises_on_use_and_recovers_when_fixed(content):
    good = (content / "knowledge.yml").read_text(encoding="utf-8")
    (content / "knowledge.yml").write_text("topics: [\n", encoding="utf-8")
    store = KnowledgeStore(content, interval=0.0)  # the bot still starts: safety answers live in code
    with pytest.raises(ContentError) as error:
        store.current()
    assert "knowledge.yml:2" in str(error.value)
    (content / "knowledge.yml").write_text(good, encoding="utf-8")
    touch_later(content / "knowledge.yml")
    assert wait_for(lambda: store._current() is not None)


# --------------------------------------------------------------------------- speed and purity


def _thirteen_languages(tmp_path: Path, source: Path) -> Path:
    """A content folder with a full draft translation in each of the 12 other languages."""
    target = tmp_path / "content13"
    shutil.copytree(source, target)
    k = yaml.safe_load((source / "knowledge.yml").read_text(encoding="utf-8"))
    u = yaml.safe_load((source / "ui.yml").read_text(encoding="utf-8"))
    for lang in LANGUAGES[1:]:
        data = {"language": lang,
                "topics": {t: {"status": "draft", "title": e["title"] + " ·",
                               "messages": [m.replace("the", "ال ") for m in e["messages"]],
                               **({"cards": e["cards"]} if e.get("cards") else {})}
                           for t, e in k["topics"].items()},
                "strings": {key: {"text": v, "status": "draft"} for key, v in u["strings"].items()},
                "moves": {key: {"messages": v, "status": "draft"} for key, v in (u.get("moves") or {}).items()}}
        (target / "translations" / f"{lang}.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_loads_thirteen_languages_fast(tmp_path):
    source = REPO / "content" if (REPO / "content" / "knowledge.yml").exists() else GOOD
    folder = _thirteen_languages(tmp_path, source)
    KnowledgeBase.load(folder)  # warm up imports and caches
    best = min(_timed(lambda: KnowledgeBase.load(folder)) for _ in range(3))
    assert best < 0.3, f"loading 13 languages took {best * 1000:.0f} ms"
    kb = KnowledgeBase.load(folder)
    assert all(kb.answer(t, "ti").status == "draft" for t in kb.topic_ids)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@pytest.mark.parametrize("module", ["knowledge", "content_basics", "content_checker", "directory"])
def test_plain_core_imports_only_stdlib_and_yaml(module):
    import sys

    tree = ast.parse((Path(K.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            assert not node.module.startswith("bot.") or node.module.startswith("bot.core."), node.module
            names.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names)
    assert names - stdlib - {"__future__", "bot"} <= {"yaml"}


def test_real_content_loads_if_present():
    if not (REPO / "content" / "knowledge.yml").exists():
        pytest.skip("content/knowledge.yml not written yet")
    kb = KnowledgeBase.load(REPO / "content")
    contract = yaml.safe_load((REPO / "content" / "topics.yml").read_text(encoding="utf-8"))
    assert set(contract["topics"]) <= set(kb.topic_ids)


def test_nearest_area_for_a_shared_location():
    directory = KnowledgeBase.load(Path(__file__).resolve().parents[1] / "content").directory()
    assert directory.nearest(53.80, -1.55)[1] == "Leeds"
    assert directory.nearest(53.72, -1.86)[1] == "Calderdale"
    assert directory.nearest(51.50, -0.12) is None  # London: outside the covered region
