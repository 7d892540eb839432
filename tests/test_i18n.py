"""The catalogue is complete in both languages and every key the code asks for exists."""

import re
import string
from pathlib import Path

import pytest

from ui import i18n, lesson
from ui.i18n import CATALOGUE, Translator
from ui.state import Notice

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_string_exists_in_both_languages_with_the_same_placeholders(key):
    entry = CATALOGUE[key]
    assert set(entry) == {"en", "pt"}
    assert entry["en"].strip() and entry["pt"].strip()
    assert placeholders(entry["en"]) == placeholders(entry["pt"])


def used_keys():
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""")
    found = set()
    for path in SOURCES:
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_key_the_code_uses_exists():
    missing = used_keys() - set(CATALOGUE)
    assert not missing


def test_notice_keys_made_by_state_exist():
    source = (ROOT / "ui" / "state.py").read_text(encoding="utf-8") + (ROOT / "ui" / "session.py").read_text(
        encoding="utf-8"
    )
    keys = set(re.findall(r'Notice\("([a-z_.]+)"', source))
    assert keys and keys <= set(CATALOGUE)


def test_translation_fills_and_escapes_arguments():
    t = Translator("en")
    text = t("error.unknown_words", words="**dog** [x](http://y)")
    assert "\\*\\*dog\\*\\*" in text and "\\[x\\]\\(http\\:" in text
    assert t("error.unknown_words", raw=True, words="**dog**").startswith("Not in the vocabulary: **dog**")


def test_portuguese_differs_from_english():
    same = [k for k, v in CATALOGUE.items() if v["en"] == v["pt"]]
    # Formulas and the app's technical terms may read the same; sentences may not.
    assert all(len(CATALOGUE[k]["en"].split()) <= 3 for k in same), same


def test_notice_translation():
    t = Translator("pt")
    text = t.notice(Notice("notice.param_clamped", {"name": "heads", "value": "99", "used": 16, "lo": 1, "hi": 16}))
    assert "\u2068heads\u2069=\u206899\u2069" in text and "16" in text


@pytest.mark.parametrize("text", ["plain", "a*b_c", "<b>x</b>", "[l](j:a)", "`code`", "$x$", "\\"])
def test_escape_markdown_leaves_no_special_character_unescaped(text):
    escaped = i18n.escape_markdown(text)
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        assert escaped[i] not in i18n._MD_SPECIAL
        i += 1


# Keys a page builds from a value: f"mh.role_{role}", f"train.about_{task}", f"lesson.{step}_title".
DYNAMIC_FAMILIES = ("mh.role_", "train.about_", *(f"lesson.{step.id}_" for step in lesson.STEPS))


def test_every_string_in_the_catalogue_is_used():
    from ui.state import SPECS

    source = "".join(p.read_text(encoding="utf-8") for p in SOURCES if p.name != "i18n.py")
    choice_labels = {f"{s.name}.{c}" for s in SPECS if s.kind == "choice" for c in s.choices}
    unused = [
        key
        for key in CATALOGUE
        if f'"{key}"' not in source
        and f"'{key}'" not in source
        and key not in choice_labels
        and not key.startswith(DYNAMIC_FAMILIES)
        and key not in ("list.more",)  # used by the Translator itself for long lists
    ]
    assert not unused
