"""The catalogue: one file per language, each complete and faithful to English; every key the code asks for exists."""

import dataclasses
import json
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import plain
from ui import i18n, lesson
from ui.i18n import CATALOGUE, Counted, Translator
from ui.state import Notice

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


LANGUAGES = i18n.languages()
OTHERS = [code for code in i18n.LANGS if code != i18n.SOURCE]


def test_the_languages_are_the_files():
    assert i18n.LANGS == tuple(LANGUAGES) and i18n.LANGS[0] == "en" and len(i18n.LANGS) >= 2
    assert all(LANGUAGES[code].name and LANGUAGES[code].name != code for code in i18n.LANGS)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_key_and_no_other(lang):
    assert set(LANGUAGES[lang].messages) == set(LANGUAGES["en"].messages)


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_string_has_the_placeholders_of_english(lang, key):
    forms, english = LANGUAGES[lang].messages[key], LANGUAGES["en"].messages[key]
    assert all(form.strip() for form in forms)
    assert (len(forms) > 1) == (len(english) > 1), "a count-dependent entry in one language is one in all"
    for form in forms:
        assert placeholders(form) == placeholders(english[0])
    if len(forms) > 1:
        assert "n" in placeholders(english[0])  # the count that picks the form


@pytest.mark.parametrize("lang", OTHERS)
def test_no_string_reads_as_english_unless_marked(lang):
    language = LANGUAGES[lang]
    same = {k for k, forms in language.messages.items() if forms == LANGUAGES["en"].messages[k]}
    assert same == language.same_as_source
    # Formulas, names and the app's technical terms may read the same; sentences may not.
    assert all(len(CATALOGUE[k]["en"].split()) <= 3 for k in same), same


# Run in a fresh interpreter on a copy of the app's packages: the language list is read when ui.i18n is
# imported, so only a new process shows what a server started after the file was added would offer.
_DROPPED_IN = """
import json, sys
from ui import i18n, state

code = sys.argv[1]
settings, notices = state.parse_query_params({"lang": code})
t = i18n.Translator(code)
print(json.dumps({
    "module": i18n.__file__,
    "langs": list(i18n.LANGS),
    "loaded": list(i18n.languages()),
    "choices": list(state.SPEC["lang"].choices),
    "lang": settings.lang,
    "notices": [n.key for n in notices],
    "name": i18n.language_names()[code],
    "title": t("app.title"),
    "number": t.number(1234.5, 1),
    "comma": t.decimal_comma,
    "queued": [t("train.queued", n=n) for n in (1, 2)],
}))
"""


# The language added: the first of these the app does not have yet (code, locale, its name in itself).
NEW = next(
    row
    for row in (("fr", "fr_FR", "Français (France)"), ("de", "de_DE", "Deutsch (Deutschland)"))
    if row[0] not in i18n.LANGS
)


def test_a_language_file_dropped_into_the_folder_is_picked_up(tmp_path):
    """A copy of the app's packages with one more file in ui/locales/ (pt.po, its header and title
    changed) and no other change: the new language is offered, a link asking for it is read without
    a notice, and the file's own text, plural forms and number format are used."""
    code, locale, name = NEW
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("core", "ui"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    text = (i18n.LOCALE_DIR / "pt.po").read_text(encoding="utf-8")
    title = 'msgid "app.title"\nmsgstr "Explorador de Atenção"'
    assert text.count("Language: pt_BR") == 1 and text.count(title) == 1
    text = text.replace("Language: pt_BR", f"Language: {locale}")
    text = text.replace(title, f'msgid "app.title"\nmsgstr "Explorador ({code})"')
    (tmp_path / "ui" / "locales" / f"{code}.po").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", _DROPPED_IN, code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert Path(found["module"]).is_relative_to(tmp_path)  # the copy ran, not this checkout
    assert found["langs"] == found["loaded"] == found["choices"] == ["en", *sorted([*OTHERS, code])]
    assert (found["lang"], found["notices"]) == (code, [])  # ?lang=<code>: taken, nothing to say about it
    assert found["name"] == name
    assert found["title"] == f"Explorador ({code})"  # the new file's text, not English's, not pt's
    assert (found["number"], found["comma"]) == ("1234,5", True)
    assert found["queued"] == [Translator("pt")("train.queued", n=n) for n in (1, 2)]  # the file's plural forms
    assert code not in i18n.LANGS  # this process's languages are untouched


def test_a_missing_entry_shows_its_key_not_english(monkeypatch):
    found = dict(i18n.languages())
    pt = found["pt"]
    found["pt"] = dataclasses.replace(pt, messages={k: v for k, v in pt.messages.items() if k != "nav.home"})
    monkeypatch.setattr(i18n, "languages", lambda: found)
    assert Translator("pt")("nav.home") == "nav.home"
    assert Translator("en")("nav.home") == "Home"


@pytest.mark.parametrize(
    ("lang", "n", "word"), [("en", 1, "training to"), ("en", 2, "trainings to"), ("en", 0, "trainings to")]
)
def test_a_count_picks_its_plural_form(lang, n, word):
    assert word in Translator(lang)("train.queued", n=n)


@pytest.mark.parametrize(
    ("n", "word"), [(0, "outro treino terminar"), (1, "outro treino terminar"), (2, "outros treinos")]
)
def test_portuguese_counts_zero_and_one_as_singular(n, word):
    assert word in Translator("pt")("train.queued", n=n)


# Every entry that shows a count: its other arguments, then what English says for a count of 1 and of 2.
# Other arguments hold no 1 or 2, so that only the count can differ.
COUNTED = {
    "vocab.tokens": ({"tokens": "cat"}, "1 token: cat", "2 tokens: cat"),
    "mh.t_stacked": ({"ht": 4, "d": 3}, "np.concatenate of 1 copy:", "np.concatenate of 2 copies:"),
    "mh.tutorial_note": ({"ht": 4, "d": 3}, "calls self-attention 1 time on", "same self-attention 2 times on"),
    "ex.softmax_row": ({"q": "cat", "shift": "0.5"}, "its score for 1 key,", "its scores for all 2 keys."),
    "ex.softmax_col": ({"q": "cat", "k": "sat", "shift": "0.5"}, "the score of 1 query for", "all 2 queries for"),
    "share.value_count": ({"entry": 3, "word": "sat", "d": 3}, "“sat”, has 1 value, the", "“sat”, has 2 values, the"),
    "tr.alignment_mean": ({}, "Cross-attention of 1 head (no average)", "Cross-attention averaged over the 2 heads"),
    "tr.alignment_help": (
        {"s": Counted("tr.english_words", 6)},
        "the 1 Portuguese word written on rows, the 6 English words on",
        "the 2 Portuguese words written on rows, the 6 English words on",
    ),
    "tr.english_words": ({}, "the 1 English word", "the 2 English words"),
    "tr.lex_nouns": ({}, "1 noun", "2 nouns"),
    "tr.lex_verbs": ({}, "1 verb", "2 verbs"),
    "table.row_waiting": ({"row": 3, "word": "sat", "d": 4}, "1 of 4 values is still empty", "2 of 4 values are still"),
    "ex.cut": ({"shown": 0, "cols": 8, "d": Counted("ex.columns", 9)}, "0 of 1 key (the", "0 of 2 keys (the"),
    "ex.columns": ({}, "1 column", "2 columns"),
    "dl.zip_help": ({}, "The 1 matrix of this page", "The 2 matrices of this page"),
    "dec.dims": ({"d": 8, "dk": 8, "f": 32, "layers": 3, "s": 6, "t": 7}, "h = 1 head of d_k", "h = 2 heads of d_k"),
    "ff.tutorial_note": ({"ht": 4, "t": 4}, "output as it is (1 copy, 4 × d", "4 rows, 2 identical copies of"),
}


@pytest.mark.parametrize("key", sorted(COUNTED))
def test_a_count_of_one_takes_the_singular_in_every_language(key):
    args, one, two = COUNTED[key]
    english = [Translator("en")(key, raw=True, n=n, **args) for n in (1, 2)]
    assert one in english[0] and two in english[1], english
    for lang in i18n.LANGS:
        t = Translator(lang)
        said = [t(key, n=n, **args) for n in (1, 2)]
        assert all("{" not in text and key not in text for text in said), said
        # the form the count picks, before the count is written in: one text for 1, another for 2
        assert t.language.text(key, 1) != t.language.text(key, 2), (lang, said)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_message_with_two_counts_writes_each_noun_for_its_own(lang):
    t = Translator(lang)
    for nouns, verbs in ((1, 2), (2, 1), (0, 1)):
        text = t("tr.lex_needs", nouns=Counted("tr.lex_nouns", nouns), verbs=Counted("tr.lex_verbs", verbs))
        assert t("tr.lex_nouns", n=nouns) in text and t("tr.lex_verbs", n=verbs) in text
    english = Translator("en")("tr.lex_needs", nouns=Counted("tr.lex_nouns", 1), verbs=Counted("tr.lex_verbs", 2))
    assert english == "A sentence needs a noun and a verb: the lexicon has 1 noun and 2 verbs."


@pytest.mark.parametrize(
    ("lang", "head", "heads", "word"),
    [
        ("pt", "1 cabeça", "2 cabeças", "a 1 palavra em inglês"),
        ("es", "1 cabeza", "2 cabezas", "la 1 palabra en inglés"),
    ],
)
def test_portuguese_and_spanish_write_one_in_the_singular(lang, head, heads, word):
    t, dims = Translator(lang), COUNTED["dec.dims"][0]
    assert head in t("tr.alignment_mean", n=1) and heads in t("tr.alignment_mean", n=2)
    assert head in t("dec.dims", n=1, **dims) and heads in t("dec.dims", n=2, **dims)
    assert t("tr.english_words", n=1) == word


@pytest.mark.parametrize(("lang", "text", "comma"), [("en", "0.50", False), ("pt", "0,50", True)])
def test_numbers_follow_the_language(lang, text, comma):
    t = Translator(lang)
    assert t.number(0.5, 2) == text and t.decimal_comma is comma and t.number(3, 0) == "3"


def used_keys():
    pattern = re.compile(r"""\b(?:t|Counted)\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""")
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
# The lesson's package (ui/lesson/, outside SOURCES) names its keys itself: a step's own are
# lesson.<id>_..., and the rest are quoted in its modules.
_LESSON_KEYS = re.findall(
    r'"(lesson\.[a-z_0-9]+)"', "".join(p.read_text(encoding="utf-8") for p in (ROOT / "ui" / "lesson").glob("*.py"))
)
DYNAMIC_FAMILIES = (
    "mh.role_",
    "mh.roles_trained_",
    "train.about_",
    *(f"lesson.{step.id}_" for step in lesson.STEPS),
    *sorted(set(_LESSON_KEYS)),
)


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


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 empty value, in d1. Type a number in it", "2 empty values, in d1, d2. Type a number in each"),
        ("pt", "1 valor vazio, em d1.", "2 valores vazios, em d1, d2."),
        ("es", "1 valor vacío, en d1.", "2 valores vacíos, en d1, d2."),
    ],
)
def test_empty_cells_agree_with_their_count(lang, one, two):
    t = Translator(lang)
    said = [plain(t("error.cells_empty", word="cat", cols=cols, n=len(cols))) for cols in (("d1",), ("d1", "d2"))]
    assert one in said[0] and two in said[1]
