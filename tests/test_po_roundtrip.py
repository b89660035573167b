"""The translators' round trip: export a .po file, bring it back."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.check import check
from bot.content.cli import main
from bot.content.po import export_po, import_po
from bot.core.knowledge import LANGUAGES, KnowledgeBase

GOOD = Path(__file__).parent / "fixtures" / "content" / "good"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(GOOD, target)
    return target


def entries(po: Path) -> dict:
    with open(po, encoding="utf-8") as fh:
        return {m.context: m for m in read_po(fh) if m.id}


def edit(po: Path, change) -> None:
    with open(po, encoding="utf-8") as fh:
        catalog = read_po(fh)
    for m in catalog:
        if m.id:
            change(m)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0)
    po.write_bytes(buf.getvalue())


def tr(content: Path, lang: str) -> dict:
    return yaml.safe_load((content / "translations" / f"{lang}.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- export


def test_export_has_every_text_with_context_scope_and_flags(content, tmp_path):
    po = tmp_path / "ar.po"
    n = export_po("ar", po, content)
    e = entries(po)
    assert n == len(e)
    assert set(e) >= {"topic:gp_registration:title", "topic:gp_registration:message:1",
                      "topic:gp_registration:message:2", "card:gp_registration:reception",
                      "card:gp_registration:reception:title", "topic:crisis:message:1", "ui:welcome",
                      "move:greet:1", "topic:interpreter:message:1"}
    m = e["topic:gp_registration:message:1"]
    assert m.id.startswith("Anyone in England")
    assert m.string.startswith("يمكن لأي شخص")
    assert m.fuzzy  # draft translations are fuzzy
    assert any("How to register with a GP practice" in c for c in m.auto_comments)  # the scope
    reviewed = e["topic:crisis:message:1"]
    assert not reviewed.fuzzy and "reviewed-by: Test Reviewer" in reviewed.user_comments
    assert e["topic:interpreter:message:1"].string == ""  # untranslated
    assert read_po(open(po, encoding="utf-8")).locale.language == "ar"


def test_export_refuses_english_and_unknown_languages(content, tmp_path):
    with pytest.raises(ValueError):
        export_po("en", tmp_path / "en.po", content)
    with pytest.raises(ValueError):
        export_po("de", tmp_path / "de.po", content)


# --------------------------------------------------------------------------- lossless round trip


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_export_then_import_without_edits_changes_nothing(content, tmp_path, lang):
    path = content / "translations" / f"{lang}.yml"
    before = path.read_bytes() if path.exists() else None
    po = tmp_path / f"{lang}.po"
    export_po(lang, po, content)
    result = import_po(po, content, today=TODAY)
    assert not result.changed
    after = path.read_bytes() if path.exists() else None
    assert after == before


def test_round_trip_through_the_command_line(content, tmp_path, capsys):
    before = (content / "translations" / "ar.yml").read_bytes()
    po = tmp_path / "ar.po"
    assert main(["export-po", "--lang", "ar", "--out", str(po), "--content-dir", str(content)]) == 0
    assert main(["import-po", str(po), "--content-dir", str(content)]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert (content / "translations" / "ar.yml").read_bytes() == before


def test_reviewed_entries_imported_into_an_empty_folder_are_kept(content, tmp_path):
    """Reviewed text survives export -> import into a folder without the translation."""
    po = tmp_path / "ar.po"
    export_po("ar", po, content)
    original = tr(content, "ar")
    (content / "translations" / "ar.yml").unlink()
    import_po(po, content, today=TODAY)
    again = tr(content, "ar")
    assert again["topics"]["crisis"] == original["topics"]["crisis"]  # reviewed: same text, reviewer and date
    assert "gp_registration" not in again["topics"]  # draft (fuzzy) entries are not imported
    assert again["moves"]["greet"]["messages"] == original["moves"]["greet"]["messages"]


# --------------------------------------------------------------------------- imports with edits


def test_new_translation_is_imported_as_draft_and_served(content, tmp_path):
    po = tmp_path / "ar.po"
    export_po("ar", po, content)

    def translate(m):
        if m.context == "topic:interpreter:title":
            m.string = "مترجم مجاني"
        elif m.context == "topic:interpreter:message:1":
            m.string = "يجب أن يوفر لك NHS مترجمًا محترفًا مجانًا. اطلبه عند الحجز.\n"
    edit(po, translate)
    result = import_po(po, content, today=TODAY)
    assert result.changed and result["topics_written"] == 1 and result["topics_reviewed"] == 0
    entry = tr(content, "ar")["topics"]["interpreter"]
    assert entry["status"] == "draft" and entry["reviewed_by"] is None
    assert [p for p in check(content, today=TODAY) if p.is_error] == []
    a = KnowledgeBase.load(content).answer("interpreter", "ar")
    assert (a.language, a.status, a.title) == ("ar", "draft", "مترجم مجاني")
    # the rest of the file is untouched
    assert tr(content, "ar")["topics"]["crisis"]["status"] == "reviewed"


def test_reviewed_by_comment_marks_a_topic_reviewed(content, tmp_path):
    po = tmp_path / "ar.po"
    export_po("ar", po, content)

    def review(m):
        if m.context.startswith(("topic:gp_registration:", "card:gp_registration:")):
            m.flags.discard("fuzzy")
            m.user_comments.append("reviewed-by: Amal Hassan")
            m.user_comments.append("reviewed-on: 2026-11-20")
    edit(po, review)
    result = import_po(po, content, today=TODAY)
    assert result["topics_reviewed"] == 1
    entry = tr(content, "ar")["topics"]["gp_registration"]
    assert (entry["status"], entry["reviewed_by"], entry["reviewed_on"]) == ("reviewed", "Amal Hassan",
                                                                             dt.date(2026, 11, 20))
    assert KnowledgeBase.load(content).answer("gp_registration", "ar").status == "reviewed"


def test_topic_is_reviewed_only_when_every_part_is(content, tmp_path):
    po = tmp_path / "ar.po"
    export_po("ar", po, content)

    def review_one(m):
        if m.context.startswith(("topic:gp_registration:", "card:gp_registration:")):
            m.flags.discard("fuzzy")
        if m.context == "topic:gp_registration:message:1":
            m.string = m.string.replace("مجاني", "مجاني تمامًا")
            m.user_comments.append("reviewed-by: Amal Hassan")
    edit(po, review_one)
    import_po(po, content, today=TODAY)
    assert tr(content, "ar")["topics"]["gp_registration"]["status"] == "draft"


def test_header_reviewed_by_marks_every_entry(content, tmp_path):
    po = tmp_path / "fr.po"
    export_po("fr", po, content)

    def translate(m):
        if m.context == "topic:crisis:title":
            m.string = "J'ai besoin d'aide maintenant"
        elif m.context == "topic:crisis:message:1":
            m.string = ("Si vous êtes en danger maintenant, appelez le 999.\n"
                        "Appelez Samaritans gratuitement au 116 123, jour et nuit.\nEnvoyez SHOUT par SMS au 85258.\n")
    edit(po, translate)
    text = po.read_text(encoding="utf-8").replace('"Language: fr\\n"', '"Language: fr\\n"\n"Reviewed-By: Claire Martin\\n"')
    po.write_text(text, encoding="utf-8")
    import_po(po, content, today=TODAY)
    entry = tr(content, "fr")["topics"]["crisis"]
    assert (entry["status"], entry["reviewed_by"], entry["reviewed_on"]) == ("reviewed", "Claire Martin", TODAY)
    assert [p for p in check(content, today=TODAY) if p.is_error] == []


def test_fuzzy_and_empty_entries_are_not_imported(content, tmp_path):
    po = tmp_path / "ar.po"
    export_po("ar", po, content)

    def change(m):
        if m.context == "topic:gp_registration:message:1":
            m.string = "نص جديد مسودة\n"  # still fuzzy
        if m.context == "ui:english_fallback":
            m.string = ""
    edit(po, change)
    before = (content / "translations" / "ar.yml").read_bytes()
    assert not import_po(po, content, today=TODAY).changed
    assert (content / "translations" / "ar.yml").read_bytes() == before


def test_half_translated_topic_is_skipped(content, tmp_path):
    po = tmp_path / "so.po"
    export_po("so", po, content)

    def half(m):
        if m.context == "topic:gp_registration:title":
            m.string = "Isku diiwaangeli GP"
        if m.context == "topic:gp_registration:message:1":
            m.string = "Qof kasta oo England jooga wuxuu isku diiwaangelin karaa GP. Waa bilaash.\n"
    edit(po, half)
    result = import_po(po, content, today=TODAY)
    assert any(s.startswith("gp_registration") for s in result["skipped"])
    assert not (content / "translations" / "so.yml").exists()


def test_ui_strings_and_moves(content, tmp_path):
    po = tmp_path / "fr.po"
    export_po("fr", po, content)

    def translate(m):
        if m.context == "ui:welcome":
            m.string = "Bonjour {name}. Je peux vous aider à utiliser le NHS en Angleterre."
        if m.context == "move:goodbye:1":
            m.string = "Prenez soin de vous."
            m.user_comments.append("reviewed-by: Claire Martin")
    edit(po, translate)
    import_po(po, content, today=TODAY)
    kb = KnowledgeBase.load(content)
    assert kb.string("welcome", "fr", name="Ali").startswith("Bonjour Ali.")
    assert kb.string_status("welcome", "fr") == "draft"
    assert kb.move("goodbye", "fr") == ["Prenez soin de vous."]
    assert tr(content, "fr")["moves"]["goodbye"]["status"] == "reviewed"


def test_dry_run_writes_nothing(content, tmp_path):
    po = tmp_path / "ar.po"
    export_po("ar", po, content)
    edit(po, lambda m: setattr(m, "string", "مترجم") if m.context == "ui:menu" else None)
    before = (content / "translations" / "ar.yml").read_bytes()
    assert import_po(po, content, dry_run=True).changed
    assert (content / "translations" / "ar.yml").read_bytes() == before


_TEXT = st.text(alphabet=st.characters(whitelist_categories=("L", "M", "N", "P", "S", "Zs"),
                                       blacklist_characters="\u2028\u2029\x85"),
                min_size=1, max_size=60).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, first=_TEXT, second=st.lists(_TEXT, min_size=1, max_size=3).map("\n".join))
def test_any_reviewed_text_survives_the_round_trip(title, first, second):
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(GOOD, content)
        data = tr(content, "ar")
        data["topics"]["gp_registration"].update(status="reviewed", reviewed_by="R", reviewed_on=TODAY,
                                                 title=title, messages=[first, second + "\n"])
        del data["topics"]["gp_registration"]["cards"]
        (content / "translations" / "ar.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        po = Path(tmp) / "ar.po"
        export_po("ar", po, content)
        assert not import_po(po, content, today=TODAY).changed
        (content / "translations" / "ar.yml").unlink()
        import_po(po, content, today=TODAY)
        back = tr(content, "ar")["topics"]["gp_registration"]
        assert (back["title"], back["messages"]) == (title, [first, second + "\n"])
        assert back["status"] == "reviewed"
