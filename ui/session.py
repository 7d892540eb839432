"""The one place that reads and writes ``st.session_state``.

Canonical values live under plain keys (never widget keys, which Streamlit deletes when
a page stops drawing the widget). Widgets are seeded from them on every run and write
back through callbacks, so edits survive page switches, language changes and reruns.
Invariant: the canonical settings and vocabulary always compute; a bad edit is kept as a
draft, shown with its errors, until the user fixes it.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

import core
from ui import state
from ui.state import Notice, Settings

_SETTINGS = "settings"
_NOTICES = "notices"
_CUSTOM_VOCAB = "custom_vocab"  # Vocabulary the user edited, or None: derived from the preset
_TABLE_DRAFT = "table_draft"  # the table as typed, when it does not make a vocabulary
_TABLE_ERRORS = "table_errors"
_EDITOR_VERSION = "editor_version"
_SENTENCE_DRAFT = "sentence_draft"  # the sentence as typed, when it cannot be used
_SENTENCE_ERRORS = "sentence_errors"


def ensure() -> None:
    """First run of a session: settings from the URL, with notices for what was wrong."""
    ss = st.session_state
    if _SETTINGS in ss:
        return
    settings, notices = state.parse_query_params(st.query_params.to_dict())
    ss[_CUSTOM_VOCAB] = None
    ss[_TABLE_DRAFT] = None
    ss[_TABLE_ERRORS] = []
    ss[_EDITOR_VERSION] = 0
    ss[_SENTENCE_DRAFT] = None
    ss[_SENTENCE_ERRORS] = []
    ss[_SETTINGS] = replace(settings, sentence=state.DEFAULTS.sentence)
    ss[_NOTICES] = notices
    commit_sentence(settings.sentence)


def settings() -> Settings:
    return st.session_state[_SETTINGS]


def update(**changes) -> None:
    st.session_state[_SETTINGS] = replace(settings(), **changes)


def take_notices() -> list[Notice]:
    """Notices about the URL, shown once."""
    notices = st.session_state.get(_NOTICES, [])
    st.session_state[_NOTICES] = []
    return notices


def sync_url() -> None:
    """Write the settings into the URL, so a copied link reproduces the view."""
    target = state.to_query_params(settings())
    if st.query_params.to_dict() != target:
        st.query_params.from_dict(target)


# --- the vocabulary --------------------------------------------------------------------------


@st.cache_data(max_entries=256, show_spinner=False)
def _preset_vocabulary(preset: str, tokens: tuple[str, ...], dim: int, seed: int) -> core.Vocabulary:
    return state.preset_vocabulary(Settings(preset=preset, sentence=" ".join(tokens) or "the", dim=dim, seed=seed))


def vocabulary() -> core.Vocabulary:
    """The vocabulary in use: the user's edited table, or the preset's."""
    custom = st.session_state.get(_CUSTOM_VOCAB)
    if custom is not None:
        return custom
    s = settings()
    tokens = s.tokens if s.preset == "random" else ()
    return _preset_vocabulary(s.preset, tokens, s.dim, s.seed)


def is_custom() -> bool:
    return st.session_state.get(_CUSTOM_VOCAB) is not None


def _set_vocabulary(vocab: core.Vocabulary | None) -> None:
    ss = st.session_state
    ss[_CUSTOM_VOCAB] = vocab
    ss[_TABLE_DRAFT] = None
    ss[_TABLE_ERRORS] = []
    ss[_EDITOR_VERSION] += 1  # a fresh editor whose rows are the new table
    _recheck_sentence()


def _recheck_sentence() -> None:
    """After the vocabulary changed: a sentence with words it no longer has becomes a draft."""
    s = settings()
    vocab = vocabulary()
    missing = vocab.unknown(s.tokens)
    if missing and s.preset == "random" and is_custom():
        st.session_state[_CUSTOM_VOCAB] = state.extend_vocabulary(vocab, s.tokens, s.seed)
    elif missing:
        st.session_state[_SENTENCE_DRAFT] = s.sentence
        st.session_state[_SENTENCE_ERRORS] = [Notice("error.unknown_words", {"words": ", ".join(missing)})]
        update(sentence=state.fallback_sentence(s.tokens, vocab))


def load_preset(preset: str) -> None:
    update(preset=preset)
    _set_vocabulary(None)


def set_dim(dim: int) -> None:
    """A new embedding width: random presets are redrawn, edited tables padded or cut."""
    s = settings()
    if s.preset == "random" and not is_custom():
        update(dim=dim)
        _set_vocabulary(None)
    else:
        resized = state.resize_vocabulary(vocabulary(), dim)
        update(dim=dim)
        _set_vocabulary(resized)


def table_for_editor() -> tuple[pd.DataFrame, str]:
    """The rows the editor starts from (the draft if there is one) and its widget key."""
    ss = st.session_state
    draft = ss.get(_TABLE_DRAFT)
    table = state.editable_table(draft) if draft is not None else state.vocab_to_table(vocabulary())
    return table, f"vocab_editor_{ss[_EDITOR_VERSION]}"


def table_errors() -> list[Notice]:
    return st.session_state.get(_TABLE_ERRORS, [])


def commit_table(editor_key: str) -> None:
    """Callback of the editor: a valid table becomes the vocabulary; a bad one stays a draft."""
    ss = st.session_state
    base, _ = table_for_editor()
    edited = state.apply_editor_delta(base, ss.get(editor_key) or {})
    vocab, problems = state.table_to_vocabulary(edited)
    if vocab is None:
        ss[_TABLE_DRAFT] = edited
        ss[_TABLE_ERRORS] = problems
        ss[_EDITOR_VERSION] += 1
        return
    if vocab.dim != settings().dim:
        update(dim=vocab.dim)
    _set_vocabulary(vocab)


def discard_table_draft() -> None:
    ss = st.session_state
    ss[_TABLE_DRAFT] = None
    ss[_TABLE_ERRORS] = []
    ss[_EDITOR_VERSION] += 1


# --- the sentence ----------------------------------------------------------------------------


def sentence_text() -> str:
    draft = st.session_state.get(_SENTENCE_DRAFT)
    return draft if draft is not None else settings().sentence


def sentence_errors() -> list[Notice]:
    return st.session_state.get(_SENTENCE_ERRORS, [])


def unknown_in_draft() -> list[str]:
    draft = st.session_state.get(_SENTENCE_DRAFT)
    if draft is None or state.check_sentence(draft):
        return []
    return vocabulary().unknown(draft.split())


def commit_sentence(text: str) -> None:
    """Use ``text`` as the sentence if it computes; else keep it as a draft with its errors."""
    ss = st.session_state
    problems = state.check_sentence(text)
    tokens = tuple(text.split())
    if not problems:
        s = settings()
        if s.preset == "random" and not is_custom():
            pass  # the preset gives every word a vector
        elif s.preset == "random":
            ss[_CUSTOM_VOCAB] = state.extend_vocabulary(vocabulary(), tokens, s.seed)
            ss[_EDITOR_VERSION] += 1
        else:
            missing = vocabulary().unknown(tokens)
            if missing:
                problems = [Notice("error.unknown_words", {"words": ", ".join(missing)})]
    if problems:
        ss[_SENTENCE_DRAFT] = text
        ss[_SENTENCE_ERRORS] = problems
        return
    ss[_SENTENCE_DRAFT] = None
    ss[_SENTENCE_ERRORS] = []
    update(sentence=" ".join(tokens))


def add_unknown_words() -> None:
    """Give the draft's unknown words seeded vectors, then use the draft."""
    draft = st.session_state.get(_SENTENCE_DRAFT)
    if draft is None:
        return
    vocab = vocabulary()
    missing = vocab.unknown(draft.split())
    if len(vocab) + len(missing) > state.MAX_WORDS:
        st.session_state[_SENTENCE_ERRORS] = [
            Notice("error.vocab_too_big", {"n": len(vocab) + len(missing), "max": state.MAX_WORDS})
        ]
        return
    st.session_state[_CUSTOM_VOCAB] = state.extend_vocabulary(vocab, draft.split(), settings().seed)
    st.session_state[_EDITOR_VERSION] += 1
    commit_sentence(draft)


def discard_sentence_draft() -> None:
    st.session_state[_SENTENCE_DRAFT] = None
    st.session_state[_SENTENCE_ERRORS] = []


# --- widgets bound to settings ---------------------------------------------------------------


def widget_key(name: str) -> str:
    return f"w_{name}"


def seed_widget(name: str, value) -> str:
    """Put the canonical value into the widget's key before it is drawn; returns the key."""
    key = widget_key(name)
    st.session_state[key] = value
    return key


def commit_widget(name: str) -> None:
    """on_change callback: copy a widget's value into the settings."""
    value = st.session_state[widget_key(name)]
    if name == "dim":
        set_dim(int(value))
    elif name == "preset":
        load_preset(value)
    elif name == "sentence":
        commit_sentence(value)
    else:
        update(**{name: value})
