"""Every user-facing string, read from one gettext file per language in ``ui/locales/``.

A language is a file, ``ui/locales/<code>.po`` (the code is what ``lang=`` in a link says), in
the form translators' tools edit (Poedit, Weblate, Babel): one entry per catalogue key (its
``msgid``), its text in ``msgstr``, and ``msgid_plural`` / ``msgstr[i]`` where the text depends
on a count (the argument ``n``, chosen by the file's ``Plural-Forms``). The header's
``Language`` (pt_BR) is the locale: it names the language in its own words and formats numbers.
The files are read with Babel (``babel.messages.pofile``), once per process, on first use.

``Translator(lang)("key", **args)`` formats a string. Arguments may hold text a user typed (a
word, a URL value), so each text argument is escaped for Markdown (Streamlit renders Markdown,
and a typed ``**`` or ``[x](y)`` must show as typed), kept on one line, and set in a bidi
isolate (U+2068 … U+2069), so right-to-left text cannot reorder the message around it. A list
or tuple argument is written as a list, cut after ``LIST_ITEMS`` items ("a, b, … and 492 more").
A message with two counts gives the second its own entry: an argument ``Counted(key, n)`` is that
entry's form for ``n`` ("the lexicon has {nouns} and {verbs}", each "0 nouns", "1 verb"), so each
noun agrees with its own count. A key a language lacks shows as the key itself, never silently as
English; tests check that no language lacks one.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import babel
import babel.numbers
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locales")
SOURCE = "en"  # the language every other file is checked against
SAME_FLAG = "same-as-english"  # an entry meant to read as in English (a name, a symbol)
LIST_ITEMS = 8  # a list in a message names at most this many items, then says how many more
_ISOLATE, _POP_ISOLATE = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&")


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown-significant character backslash-escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


@dataclass(frozen=True)
class Language:
    """One language file, read: its entries (one form, or one per plural form) and how to pick a form."""

    code: str  # the file's name: what lang= in a link says
    name: str  # how the language menu names it, in that language
    locale: str  # Babel's locale, for numbers (pt_BR)
    messages: Mapping[str, tuple[str, ...]]
    plural: Callable[[int], int]  # a count -> the index of its form
    same_as_source: frozenset[str]  # keys marked SAME_FLAG

    def text(self, key: str, n: int | None) -> str | None:
        forms = self.messages.get(key)
        if forms is None:
            return None
        return forms[0] if len(forms) == 1 else forms[self.plural(0 if n is None else int(n))]


def read_language(path: Path) -> Language:
    """A ``.po`` file as a Language."""
    with path.open("rb") as f:
        catalog = read_po(f)
    messages, same = {}, set()
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.id if isinstance(message.id, str) else message.id[0]
        forms = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        messages[key] = forms
        if SAME_FLAG in message.flags:
            same.add(key)
    locale = str(catalog.locale or path.stem)
    name = babel.Locale.parse(locale).get_display_name() or path.stem  # in its own language: "português (Brasil)"
    return Language(
        code=path.stem,
        name=name[:1].upper() + name[1:],
        locale=locale,
        messages=MappingProxyType(messages),
        plural=gettext.c2py(catalog.plural_expr),
        same_as_source=frozenset(same),
    )


def load(folder: Path = LOCALE_DIR) -> Mapping[str, Language]:
    """Every language file in ``folder``, English first: the app's languages are the files there."""
    paths = sorted(folder.glob("*.po"), key=lambda p: (p.stem != SOURCE, p.stem))
    return MappingProxyType({p.stem: read_language(p) for p in paths})


@functools.cache
def languages() -> Mapping[str, Language]:
    """The app's languages, read once per process (read-only: shared by every session)."""
    return load()


# The codes a link may ask for: the file names, known without reading the files.
LANGS = tuple(sorted((p.stem for p in LOCALE_DIR.glob("*.po")), key=lambda code: (code != SOURCE, code)))


def language_names() -> dict[str, str]:
    """Each language's name in itself, for the language menu."""
    return {code: language.name for code, language in languages().items()}


@dataclass(frozen=True)
class Counted:
    """An argument written as the entry ``key`` for the count ``n``: a noun phrase that agrees with its own
    count inside a message whose form another count picks (or that has two)."""

    key: str
    n: int


class _Catalogue(Mapping):
    """``CATALOGUE[key][lang]``: every entry's text (its first form) in every language, read from the files."""

    def __getitem__(self, key: str) -> dict[str, str]:
        found = {code: lang.messages[key][0] for code, lang in languages().items() if key in lang.messages}
        if not found:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(languages()[SOURCE].messages)

    def __len__(self) -> int:
        return len(languages()[SOURCE].messages)


CATALOGUE = _Catalogue()


@dataclass(frozen=True)
class Translator:
    """``t("key", **args)``: the string for ``lang`` with ``args`` filled in (and escaped)."""

    lang: str

    @property
    def language(self) -> Language:
        found = languages()
        return found.get(self.lang) or found[SOURCE]

    def __call__(self, key: str, /, *, raw: bool = False, **args) -> str:
        text = self.language.text(key, args.get("n"))
        if text is None:
            return key  # a missing entry shows its key: never another language's text in its place
        if not args:
            return text
        return text.format(**{k: self._argument(v, raw) for k, v in args.items()})

    def _argument(self, value, raw: bool) -> str:
        if isinstance(value, Counted):
            return self(value.key, raw=raw, n=value.n)
        if isinstance(value, list | tuple):
            items = [self._argument(v, raw) for v in value[:LIST_ITEMS]]
            more = len(value) - len(items)
            return ", ".join(items) + (self("list.more", n=more) if more else "")
        if raw or not isinstance(value, str):
            return str(value)
        # A line break in a typed value would end the message's paragraph (and "===" under it make a heading).
        return _ISOLATE + escape_markdown(" ".join(value.splitlines())) + _POP_ISOLATE

    def notice(self, notice, raw: bool = False) -> str:
        return self(notice.key, raw=raw, **dict(notice.args))

    def options(self, prefix: str, values: Mapping | tuple) -> dict:
        return {v: self(f"{prefix}.{v}") for v in values}

    def number(self, value: float, decimals: int) -> str:
        """``value`` with ``decimals`` digits after the language's decimal sign (0,5 in Portuguese)."""
        pattern = "0." + "0" * decimals if decimals > 0 else "0"
        return babel.numbers.format_decimal(value, format=pattern, locale=self.language.locale)

    @property
    def number_symbols(self) -> tuple[str, str]:
        """The language's decimal sign and thousands separator: (",", ".") in Portuguese, for its charts."""
        locale = self.language.locale
        return babel.numbers.get_decimal_symbol(locale), babel.numbers.get_group_symbol(locale)

    @property
    def decimal_comma(self) -> bool:
        """The language writes decimals with a comma (its spreadsheets then separate CSV fields with ';')."""
        return babel.numbers.get_decimal_symbol(self.language.locale) == ","
