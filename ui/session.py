"""The one place that reads and writes ``st.session_state``.

Canonical values live under plain keys (never widget keys, which Streamlit deletes when
a page stops drawing the widget). Widgets are seeded from them on every run and write
back through callbacks, so edits survive page switches, language changes and reruns.
Invariant: the canonical settings and vocabulary always compute; a bad edit is kept as a
draft, shown with its errors, until the user fixes it.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import cachetools
import pandas as pd
import streamlit as st

import core
from ui import i18n, scenarios, share, state
from ui.state import Notice, Settings

_SETTINGS = "settings"
_NOTICES = "notices"
_CUSTOM_VOCAB = "custom_vocab"  # Vocabulary the user edited, or None: derived from the preset
_TABLE_DRAFT = "table_draft"  # the table as typed, while something in it is left to fix
_TABLE_READING = "table_reading"  # state.TableReading of the draft
_HIDDEN = "hidden_columns"  # word -> values past the table's width, kept when the width shrinks
_WIDTH_NOTE = "width_note"  # what the last width change hid or brought back
_EDITOR_BASE = "editor_base"  # the table the editor on screen shows (its values exact); None: start again
_EDITOR_GRID = "editor_grid"  # that table as text, as the editor was given it (state.editable_table)
_EDITOR_VERSION = "editor_version"  # part of the editor's key: a new one is a fresh editor
_EDITOR_RUN = "editor_run"  # the run that last drew the editor
_EDITOR_LANG = "editor_lang"
_EDITOR_DELTA = "editor_delta"  # (the editor's last edit record, the table it made): the next one is compared with it
_TABLE_UNDO = "table_undo"  # (what an edit that overwrote words replaced, the session before it), or None
_RUN = "run"  # script runs of this session
_SENTENCE_NOTE = "sentence_note"  # what cleaning the typed sentence took out
_SENTENCE_DRAFT = "sentence_draft"  # the sentence as typed, when it cannot be used
_SENTENCE_ERRORS = "sentence_errors"
_LINK_VOCAB = "link_vocab"  # (the custom vocabulary, its vocab= text or None when too long for a link)
_LINK_LENGTH = "link_length"  # characters the link would have had, when the table did not fit
_UPLOAD_VERSION = "upload_version"  # part of the scenario uploader's key: a new one is an empty uploader
_UPLOAD_NOTICES = "upload_notices"  # what reading the last scenario file found (errors: nothing changed)

# What tests read of a session through AppTest, which runs scripts and cannot call this module's
# functions in them: the canonical values' keys by name, so a test does not spell a key itself.
SETTINGS_KEY, CUSTOM_VOCAB_KEY = _SETTINGS, _CUSTOM_VOCAB
TABLE_DRAFT_KEY, SENTENCE_DRAFT_KEY = _TABLE_DRAFT, _SENTENCE_DRAFT
EDITOR_BASE_KEY, EDITOR_GRID_KEY, EDITOR_VERSION_KEY, RUN_KEY = _EDITOR_BASE, _EDITOR_GRID, _EDITOR_VERSION, _RUN


def ensure() -> None:
    """First run of a session: settings from the URL, with notices for what was wrong."""
    ss = st.session_state
    if _SETTINGS in ss:
        return
    params = {name: st.query_params.get_all(name) for name in st.query_params}  # repeats kept: each is a notice
    linked = params.pop("vocab", None)
    settings, notices = state.parse_query_params(params)
    custom = None
    if linked:  # a link that carries an edited table: read by the table's rules
        if len(linked) > 1:
            notices.append(Notice("notice.param_repeated", {"name": "vocab", "n": len(linked)}))
        custom, more = share.decode_vocab(str(linked[-1]))
        if custom is not None:  # the link's own table has its width: dim= was not the article's to ignore
            notices = [n for n in notices if n.key != "notice.dim_with_seed"]
        notices = state.cap_notices(notices + more)
        if custom is not None:
            settings = replace(settings, dim=custom.dim)
    ss[_CUSTOM_VOCAB] = custom
    ss[_TABLE_DRAFT] = None
    ss[_TABLE_READING] = None
    ss[_HIDDEN] = {}
    ss[_WIDTH_NOTE] = None
    ss[_EDITOR_BASE] = None
    ss[_SENTENCE_NOTE] = ()
    ss[_SENTENCE_DRAFT] = None
    ss[_SENTENCE_ERRORS] = []
    ss[_SETTINGS] = replace(settings, sentence=state.DEFAULTS.sentence)
    ss[_NOTICES] = notices
    commit_sentence(settings.sentence)
    tokens = ss[_SETTINGS].tokens
    if vocabulary().unknown(tokens):  # the link's table lacks the default sentence's words: a draft says which
        update(sentence=state.fallback_sentence(tokens, vocabulary()))


def settings() -> Settings:
    return st.session_state[_SETTINGS]


def update(**changes) -> None:
    """New settings; the explained head and cell stay inside the model and the sentence."""
    st.session_state[_SETTINGS] = state.fit_view(replace(settings(), **changes))


def take_notices() -> list[Notice]:
    """Notices about the URL, shown once."""
    notices = st.session_state.get(_NOTICES, [])
    st.session_state[_NOTICES] = []
    return notices


def sync_url(keep: tuple[str, ...] = ()) -> None:
    """Write the settings into the URL, so a copied link reproduces the view.

    ``keep``: the page's own parameters (the lesson's step), left as they are.
    """
    current = st.query_params.to_dict()
    target = {**_link_params(), **{k: current[k] for k in keep if k in current}}
    if current != target:
        st.query_params.from_dict(target)


def _link_params() -> dict[str, str]:
    """The settings, and an edited table as ``vocab=`` when the link stays within
    ``share.MAX_LINK_CHARS`` (else the table is left out and ``link_too_long`` says by how much).

    The table's text is made once per table, not on every rerun.
    """
    ss = st.session_state
    params = state.to_query_params(settings())
    draft = ss.get(_SENTENCE_DRAFT)
    if draft is not None and draft.split():  # the sentence as typed, not the stand-in the charts use meanwhile
        params["sentence"] = " ".join(draft.split())
    custom = ss.get(_CUSTOM_VOCAB)
    if custom is None:
        ss[_LINK_LENGTH] = None
        return params
    cached = ss.get(_LINK_VOCAB)
    if cached is None or cached[0] is not custom:
        # Each value takes at least two characters (a digit and a separator): a table with more values
        # than half the limit cannot fit, and is not written out.
        text = share.encode_vocab(custom) if custom.vectors.size * 2 <= share.MAX_LINK_CHARS else None
        cached = ss[_LINK_VOCAB] = (custom, text)
    text = cached[1]
    length = custom.vectors.size * 2  # at least, when the table was not even written out
    if text is not None:
        with_vocab = {**params, "vocab": text}
        length = share.query_length(with_vocab)
        if length <= share.MAX_LINK_CHARS:
            ss[_LINK_LENGTH] = None
            return with_vocab
    ss[_LINK_LENGTH] = length
    return params


def link_too_long() -> int | None:
    """With an edited table too big for a link: about how many characters the link would need."""
    return st.session_state.get(_LINK_LENGTH)


# --- scenario files ----------------------------------------------------------------------


def uploader_key() -> str:
    return f"scenario_upload_{st.session_state.get(_UPLOAD_VERSION, 0)}"


def load_scenario(key: str) -> None:
    """on_change of the uploader: a valid file becomes the session (the language stays);
    a bad one changes nothing, and its notices say why."""
    ss = st.session_state
    upload = ss.get(key)
    if upload is None:
        return
    loaded, notices = scenarios.read_scenario(upload.getvalue())  # never raises: a bad file is notices
    ss[_UPLOAD_NOTICES] = notices
    ss[_UPLOAD_VERSION] = ss.get(_UPLOAD_VERSION, 0) + 1  # an empty uploader: the same file can be read again
    if loaded is not None:
        open_view(loaded.settings, loaded.vocab)
        set_lexicon(loaded.lexicon)  # the translator's lexicon, or None: the toy one
        ss[_UPLOAD_NOTICES] = [Notice("share.file_loaded", {"name": state.excerpt(upload.name)}), *notices]


def take_upload_notices() -> list[Notice]:
    notices = st.session_state.get(_UPLOAD_NOTICES) or []
    st.session_state[_UPLOAD_NOTICES] = []
    return notices


# --- the vocabulary --------------------------------------------------------------------------


# Preset vocabularies, shared by every session (read-only, keyed by content), bounded by their bytes:
# a random one for 512 tokens at width 128 is 0.5 MB.
PRESET_CACHE_BYTES = 16 * 2**20
_PRESETS = cachetools.TTLCache(maxsize=PRESET_CACHE_BYTES, ttl=900, getsizeof=lambda v: v.vectors.nbytes + 64 * len(v))


@cachetools.cached(_PRESETS, lock=threading.Lock())
def _preset_vocabulary(preset: str, tokens: tuple[str, ...], dim: int, seed: int) -> core.Vocabulary:
    return state.preset_vocabulary(Settings(preset=preset, sentence=" ".join(tokens) or "the", dim=dim, seed=seed))


def vocabulary() -> core.Vocabulary:
    """The vocabulary in use: the user's edited table, or the preset's."""
    custom = st.session_state.get(_CUSTOM_VOCAB)
    if custom is not None:
        return custom
    s = settings()
    preset = s.vocab_preset
    tokens = s.tokens if preset == "random" else ()
    return _preset_vocabulary(preset, tokens, s.dim, s.seed)


def custom_vocabulary() -> core.Vocabulary | None:
    """The table the user edited (or a link or file brought), or None: the preset's."""
    return st.session_state.get(_CUSTOM_VOCAB)


def is_custom() -> bool:
    return st.session_state.get(_CUSTOM_VOCAB) is not None


def _set_vocabulary(vocab: core.Vocabulary | None, *, from_editor: bool = False) -> None:
    """A new vocabulary. Unless the editor itself made it, the editor starts again from it.

    A word renamed in the table (the same row, a new word) is renamed in the sentence too, as a
    spreadsheet carries a renamed cell: "the cat sat on" becomes "the dog sat on", not a draft.
    """
    renamed = state.renamed_words(vocabulary(), vocab) if from_editor and vocab is not None else {}
    st.session_state[_CUSTOM_VOCAB] = vocab
    if not from_editor:
        _clear_table_draft()
        _forget_undo()
    if renamed:
        tokens = settings().tokens
        if any(w in renamed for w in tokens):
            update(sentence=" ".join(renamed.get(w, w) for w in tokens))
    _recheck_sentence()


def _recheck_sentence() -> None:
    """After the vocabulary changed: a sentence with words it no longer has becomes a draft
    (or, with random vectors and an edited table, the words get their vectors back)."""
    s = settings()
    vocab = vocabulary()
    draft = st.session_state.get(_SENTENCE_DRAFT)
    if draft is not None and not state.check_sentence(draft) and not vocab.unknown(draft.split()):
        # The words the typed sentence waited for are in the table now ("add them to the table", its
        # message says): it is used, as if typed again. Not through commit_sentence, which would drop
        # the undo of the very edit that added them.
        st.session_state[_SENTENCE_DRAFT] = None
        st.session_state[_SENTENCE_ERRORS] = []
        update(sentence=" ".join(draft.split()))
        return
    missing = vocab.unknown(s.tokens)
    if not missing:
        return
    problems = [Notice("error.unknown_words", {"words": tuple(missing)})]
    if s.vocab_preset == "random" and is_custom():
        problems = _extend_vocabulary(s.tokens)  # or the error that the table would grow past its limit
        if not problems:
            return
    st.session_state[_SENTENCE_DRAFT] = s.sentence
    st.session_state[_SENTENCE_ERRORS] = problems
    update(sentence=state.fallback_sentence(s.tokens, vocab))


def set_mode(mode: str) -> None:
    """A new mode. With the mode's own preset (the article's table in tutorial mode, random vectors in
    paper mode) the vocabulary changes with it, unless the sentence has words the other preset lacks:
    then the preset in use is kept, so no word typed is lost."""
    s = settings()
    if s.preset is None and not is_custom():
        switched = replace(s, mode=mode)
        if state.preset_vocabulary(switched).unknown(switched.tokens):
            update(mode=mode, preset=s.vocab_preset)
            return
    update(mode=mode)


def set_lang(lang: str) -> None:
    """A new language. A table being edited is read again in it, so that its messages speak it (and give its
    examples); what was read as a number stays that number, and text not read keeps the rules of the page it
    was typed on (``state.Typed``): a language switch never turns a refused value into a number."""
    update(lang=lang)
    draft = st.session_state.get(_TABLE_DRAFT)
    if draft is not None:
        _read_into_draft(draft)


def load_preset(preset: str) -> None:
    update(preset=preset)
    st.session_state[_HIDDEN] = {}
    st.session_state[_WIDTH_NOTE] = None
    _set_vocabulary(None)


def set_dim(dim: int) -> None:
    """A new embedding width: random presets are redrawn; an edited table hides or brings back columns."""
    ss = st.session_state
    s, old = settings(), vocabulary().dim
    if dim == old:
        return
    if s.vocab_preset == "random" and not is_custom():
        update(dim=dim)
        _set_vocabulary(None)
        return
    hidden = ss.get(_HIDDEN) or {}
    draft = ss.get(_TABLE_DRAFT)
    resized, tails = state.resize_vocabulary(vocabulary(), dim, hidden)
    cols = state.dim_columns(max(dim, old))[min(dim, old) :]
    if dim < old:
        ss[_WIDTH_NOTE] = Notice("vocab.width_cut", {"old": old, "new": dim, "cols": _span(cols)})
    elif hidden:
        ss[_WIDTH_NOTE] = Notice("vocab.width_restored", {"old": old, "new": dim, "cols": _span(cols)})
    else:
        ss[_WIDTH_NOTE] = None
    ss[_HIDDEN] = tails
    update(dim=dim)
    _set_vocabulary(resized)
    if draft is not None:  # an edit in progress keeps its rows at the new width
        _read_into_draft(state.resize_table(draft, dim, hidden))
        _restart_editor()


def _span(cols: list[str]) -> str:
    return cols[0] if len(cols) == 1 else f"{cols[0]}–{cols[-1]}"


def width_note() -> Notice | None:
    return st.session_state.get(_WIDTH_NOTE)


# --- the table editor ------------------------------------------------------------------------
#
# st.data_editor keeps the user's edits as a delta against the table it was given, and
# forgets them when its data or key changes. So the editor gets the same base table and key
# for as long as it is on screen: every edit is read as base + delta (``commit_table``), and
# the grid is never rebuilt under the user's fingers (typing, focus and a new row survive).
# The editor starts again from the current table (a new key) only when something else
# changed the table, or when it was not on screen in the previous run (Streamlit dropped its
# widget state: the draft kept here brings the edits back).


def _restart_editor() -> None:
    st.session_state[_EDITOR_BASE] = None


def _clear_table_draft() -> None:
    ss = st.session_state
    ss[_TABLE_DRAFT] = None
    ss[_TABLE_READING] = None
    _restart_editor()


def begin_run() -> None:
    """Called once at the start of every script run (layout.start)."""
    st.session_state[_RUN] = st.session_state.get(_RUN, 0) + 1


def _decimal_comma(lang: str | None = None) -> bool:
    """The page's language writes 2.5 as "2,5": the grid shows its values so, and reads them so."""
    return i18n.Translator(lang or settings().lang).decimal_comma


def table_for_editor(lang: str) -> tuple[pd.DataFrame, str]:
    """The rows the editor is given, as text, and its widget key (see the note above).

    The editor shows each value as text in the page's language (``state.editable_table``); its
    edits are applied to the table it shows, exact values and text typed (``edit_table``), and
    read in that language: the browser never parses a number.
    """
    ss = st.session_state
    run = ss.get(_RUN, 0)
    shown_last_run = ss.get(_EDITOR_RUN) == run - 1
    if ss.get(_EDITOR_BASE) is None or not shown_last_run or ss.get(_EDITOR_LANG) != lang:
        draft = ss.get(_TABLE_DRAFT)
        base = draft if draft is not None else state.vocab_to_table(vocabulary())
        ss[_EDITOR_BASE] = base.reset_index(drop=True)
        ss[_EDITOR_GRID] = state.editable_table(base, _decimal_comma(lang))
        ss[_EDITOR_VERSION] = ss.get(_EDITOR_VERSION, 0) + 1
        ss[_EDITOR_LANG] = lang  # the column labels and the decimal sign are part of the editor's identity
        ss[_EDITOR_DELTA] = {}
    ss[_EDITOR_RUN] = run
    return ss[_EDITOR_GRID], f"vocab_editor_{ss[_EDITOR_VERSION]}"


def table_reading() -> state.TableReading | None:
    """What the table as last edited says (errors, rows waiting, notes), or None with no edit in progress."""
    return st.session_state.get(_TABLE_READING)


def _read_into_draft(table: pd.DataFrame) -> None:
    """Read a table as typed: a valid one becomes the vocabulary; anything left to fix is kept as a draft."""
    ss = st.session_state
    comma = _decimal_comma()
    if len(table) <= state.MAX_WORDS + state.MAX_BLANK_ROWS:  # longer: refused by read_table before any cell is read
        table = state.typed_cells(table, comma)  # read once, in the language it was typed in
    reading = state.read_table(table, known=vocabulary(), decimal_comma=comma)
    pending = bool(reading.errors or reading.waiting or reading.notes)
    ss[_TABLE_DRAFT] = table if pending else None
    ss[_TABLE_READING] = reading if pending else None
    if reading.vocab is not None and reading.vocab != vocabulary():
        ss[_HIDDEN] = {w: v for w, v in (ss.get(_HIDDEN) or {}).items() if w in reading.vocab}
        _set_vocabulary(reading.vocab, from_editor=True)


def commit_table(editor_key: str) -> None:
    """Callback of the editor: its delta against the base table, read as typed."""
    edit_table(st.session_state.get(editor_key) or {})


def edit_table(delta) -> None:
    """The base table plus an edit record of st.data_editor (edited, added, deleted rows).

    An edit that overwrote words of the vocabulary (a word typed over another, rows pasted over
    rows) says what it replaced (``table_replaced``), and ``discard_table_draft`` undoes it.
    """
    ss = st.session_state
    base = ss.get(_EDITOR_BASE)
    if base is None:
        return
    # The last record and the table it made (kept, not applied again), or none yet: the base table itself.
    last, before = ss.get(_EDITOR_DELTA) or ({}, base)
    after = state.apply_editor_delta(base, delta)
    replaced = state.replaced_rows(
        before,
        state.editor_row_ids(len(base), last),
        after,
        state.editor_row_ids(len(base), delta),
        vocabulary(),
        _decimal_comma(),
    )
    ss[_EDITOR_DELTA] = (delta, after)
    ss[_TABLE_UNDO] = (replaced, _session_before_edit()) if any(replaced) else None
    _read_into_draft(after)


# What an edit of the table changes, besides the grid's own record: an undo puts these back.
_UNDONE_KEYS = (_CUSTOM_VOCAB, _TABLE_DRAFT, _TABLE_READING, _HIDDEN, _SENTENCE_DRAFT, _SENTENCE_ERRORS, _SENTENCE_NOTE)


def _session_before_edit() -> dict:
    ss = st.session_state
    s = settings()
    return {"sentence": s.sentence, "cell": s.cell, **{k: ss.get(k) for k in _UNDONE_KEYS}}


def _forget_undo() -> None:
    st.session_state[_TABLE_UNDO] = None


def table_replaced() -> state.Replaced | None:
    """What the table's last edit overwrote (it can be undone), or None."""
    undo = st.session_state.get(_TABLE_UNDO)
    return undo[0] if undo else None


def fill_empty_cells() -> None:
    """Give the draft's empty cells values (a known word's own, else seeded random ones)."""
    draft = st.session_state.get(_TABLE_DRAFT)
    if draft is None:
        return
    _forget_undo()  # an undo of the table would take the filled values back
    _read_into_draft(state.fill_empty_cells(draft, vocabulary(), settings().seed))
    _restart_editor()


def discard_table_draft() -> None:
    """Back to the last valid table; after an edit that overwrote words, back to the table (and the
    sentence) as they were before it, an edit in progress included."""
    ss = st.session_state
    undo = ss.get(_TABLE_UNDO)
    _clear_table_draft()
    _forget_undo()
    if undo is None:
        return
    before = undo[1]
    for k in _UNDONE_KEYS:
        ss[k] = before[k]
    update(sentence=before["sentence"], cell=before["cell"])


# --- the sentence ----------------------------------------------------------------------------


def sentence_text() -> str:
    draft = st.session_state.get(_SENTENCE_DRAFT)
    return draft if draft is not None else settings().sentence


def sentence_errors() -> list[Notice]:
    return st.session_state.get(_SENTENCE_ERRORS, [])


def sentence_notes() -> tuple[Notice, ...]:
    """What cleaning the typed sentence changed: cut, invisible characters removed, lookalikes replaced."""
    return st.session_state.get(_SENTENCE_NOTE) or ()


def unknown_in_draft() -> list[str]:
    draft = st.session_state.get(_SENTENCE_DRAFT)
    if draft is None or state.check_sentence(draft):
        return []
    return vocabulary().unknown(draft.split())


def _extend_vocabulary(words) -> list[Notice]:
    """Seeded vectors for the words the vocabulary lacks, in the table being edited too; or, when
    they would take it past ``state.MAX_WORDS``, nothing and the error that says so."""
    ss = st.session_state
    vocab = vocabulary()
    missing = vocab.unknown(words)
    if len(vocab) + len(missing) > state.MAX_WORDS:
        return [Notice("error.vocab_too_big", {"n": len(vocab) + len(missing), "max": state.MAX_WORDS})]
    extended = state.extend_vocabulary(vocab, words, settings().seed)
    if extended is vocab:
        return []
    ss[_CUSTOM_VOCAB] = extended
    _forget_undo()  # an undo of the table would take these words back
    draft = ss.get(_TABLE_DRAFT)
    if draft is not None:
        new_rows = state.vocab_to_table(core.Vocabulary(extended.words[len(vocab) :], extended.vectors[len(vocab) :]))
        ss[_TABLE_DRAFT] = pd.concat([draft, new_rows.astype(object)], ignore_index=True)
    _restart_editor()
    return []


def commit_sentence(text: str) -> None:
    """Use ``text`` as the sentence if it computes; else keep it as a draft with its errors.

    Invisible characters are taken out first (a zero-width space would make "the" an
    unknown word that looks known), with a note that names them.
    """
    ss = st.session_state
    _forget_undo()  # an undo of the table would take this sentence back
    notes = []
    if len(text) > state.MAX_SENTENCE_CHARS:  # cut before anything reads it (see state.clean_text)
        notes.append(Notice("vocab.sentence_chars", {"n": len(text), "max": state.MAX_SENTENCE_CHARS}))
        text = text[: state.MAX_SENTENCE_CHARS]
    text, removed, replaced = state.clean_text(text)
    if removed:
        notes.append(Notice("vocab.sentence_cleaned", {"chars": removed}))
    if replaced:
        notes.append(Notice("vocab.sentence_compat", {"pairs": replaced}))
    ss[_SENTENCE_NOTE] = tuple(notes)
    problems = state.check_sentence(text)
    tokens = tuple(text.split())
    if not problems:
        s = settings()
        if s.vocab_preset == "random" and not is_custom():
            pass  # the preset gives every word a vector
        elif s.vocab_preset == "random":
            problems = _extend_vocabulary(tokens)
        else:
            missing = vocabulary().unknown(tokens)
            if missing:
                problems = [Notice("error.unknown_words", {"words": tuple(missing)})]
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
    problems = _extend_vocabulary(draft.split())
    if problems:
        st.session_state[_SENTENCE_ERRORS] = problems
        return
    commit_sentence(draft)


def discard_sentence_draft() -> None:
    st.session_state[_SENTENCE_DRAFT] = None
    st.session_state[_SENTENCE_ERRORS] = []


# --- training ------------------------------------------------------------------------------


def training_setup() -> None:
    """One click to a vocabulary that trains well: ten words with seeded random vectors of width 16."""
    update(preset="random", dim=16, sentence=state.SETUP_WORDS)
    _set_vocabulary(None)


_STOPPED = "stopped_trainings"  # trainings this session stopped: a page does not start them again by itself
STOPPED_KEY = _STOPPED  # as SETTINGS_KEY, for tests


def stop_training(key) -> None:
    """The learner stopped the training ``key`` (its Stop button, Streamlit's Stop): it waits for a click."""
    st.session_state[_STOPPED] = st.session_state.get(_STOPPED, frozenset()) | {key}


def training_stopped(key) -> bool:
    return key in st.session_state.get(_STOPPED, frozenset())


def allow_training(key) -> None:
    """A click on Train again: the training ``key`` may start."""
    st.session_state[_STOPPED] = st.session_state.get(_STOPPED, frozenset()) - {key}


# --- the lesson ------------------------------------------------------------------------------


def open_view(view: Settings, vocab: core.Vocabulary | None) -> None:
    """Make a lesson step's view the learner's own (their language stays): its settings, and its
    vocabulary as an edited table (None: the preset's)."""
    ss = st.session_state
    ss[_SETTINGS] = state.fit_view(replace(view, lang=settings().lang))
    ss[_HIDDEN] = {}
    ss[_WIDTH_NOTE] = None
    discard_sentence_draft()
    _set_vocabulary(vocab)


# --- the explained cell ----------------------------------------------------------------------

CELL_KEYS = ("w_cell_q", "w_cell_k")  # the encoder screens' explained cell (``cell``)
DECODER_CELL_KEYS = ("w_dcell_q", "w_dcell_k")  # /decoder's (``dcell``)
_CELL_PICKERS = {"cell": CELL_KEYS, "dcell": DECODER_CELL_KEYS}


def seed_cell_widgets(name: str = "cell", shown: tuple[int, int] | None = None) -> tuple[str, str]:
    """The query and key pickers of setting ``name`` start from the cell shown (1-based; by default the
    setting's own), or empty."""
    cell = shown or getattr(settings(), name) or (None, None)
    for key, value in zip(_CELL_PICKERS[name], cell, strict=True):
        st.session_state[key] = value
    return _CELL_PICKERS[name]


def commit_cell_pickers(name: str = "cell") -> None:
    """on_change of either picker: a query and a key make the cell; one alone pairs with itself."""
    q, k = (st.session_state.get(key) for key in _CELL_PICKERS[name])
    if q is None and k is None:
        update(**{name: None})
    else:
        update(**{name: (q or k, k or q)})


def cell_clicked(chart_key: str, selection: str, offset: int) -> None:
    """on_select of a clickable map: the clicked cell (0-based in the drawn window) is explained.

    A double-click clears the chart's selection; the explained cell then stays as it was.
    """
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get(selection) or []
    if points:
        point = points[0]
        update(cell=(int(point["r"]) + offset + 1, int(point["c"]) + offset + 1))


def clear_cell() -> None:
    update(cell=None)


# --- switches and windows of the page (widget state read by the drawing code) -------------------


def switched_on(key: str) -> bool:
    """Whether the toggle with widget key ``key`` (the sidebar's save panel, the numbers as tables) is on."""
    return bool(st.session_state.get(key))


def token_window(key: str, n_tokens: int) -> str:
    """The widget key of a token-window slider, its value kept inside 1..n_tokens (a new sentence may be
    shorter than the window the slider last held)."""
    current = st.session_state.get(key)
    if not (isinstance(current, tuple) and 1 <= current[0] <= current[1] <= n_tokens):
        st.session_state[key] = (1, n_tokens)
    return key


# --- widgets bound to settings ---------------------------------------------------------------


def widget_key(name: str) -> str:
    return f"w_{name}"


def seed_widget(name: str, value) -> str:
    """Put the canonical value into the widget's key before it is drawn; returns the key."""
    key = widget_key(name)
    st.session_state[key] = list(value) if isinstance(value, tuple) and state.SPEC[name].kind == "heads" else value
    return key


def commit_widget(name: str) -> None:
    """on_change callback: copy a widget's value into the settings.

    A number box cleared by the user changes nothing (the next run puts the value back),
    except d_ff, whose empty box means the mode's default width.
    """
    value = st.session_state[widget_key(name)]
    if value is None and state.SPEC[name].default is not None:
        return
    if state.SPEC[name].kind == "heads":  # a multiselect gives a list: the settings hold a sorted tuple
        update(**{name: tuple(sorted(value or ()))})
    elif name == "dim":
        set_dim(int(value))
    elif name == "preset":
        load_preset(value)
    elif name == "mode":
        set_mode(value)
    elif name == "sentence":
        commit_sentence(value)
    elif name == "lang":
        set_lang(value)
    else:
        update(**{name: value})


# --- the translator's lexicon (/translate) -----------------------------------------------------
#
# The lexicon is edited as the vocabulary is (see "the table editor" above): the canonical
# lexicon in a plain session key (None: the toy lexicon), three editors (nouns, adjectives,
# verbs) given the same base tables and keys for as long as they are on screen, and every edit
# read as base + delta. Rows that are wrong or not complete are kept as a draft, with messages,
# while the complete rows become the lexicon. A link's ``lexicon=`` is read on first use.

_LEXICON = "lexicon"  # core.Lexicon the learner edited (or a link or file brought), or None: the toy lexicon
LEXICON_KEY = _LEXICON  # as SETTINGS_KEY, for tests
_LEXICON_NOTICES = "lexicon_notices"  # what reading the link's lexicon= found, shown once
_LEX_DRAFT = "lexicon_draft"  # {part: table as typed}, while something in it is left to fix
_LEX_READING = "lexicon_reading"  # translation.LexiconReading of the draft
_LEX_BASE = "lexicon_editor_base"  # {part: the table its editor was given}; None: start again
_LEX_VERSION = "lexicon_editor_version"
LEXICON_EDITOR_VERSION_KEY = _LEX_VERSION  # as SETTINGS_KEY, for tests
_LEX_RUN = "lexicon_editor_run"
_LEX_LINK = "lexicon_link"  # (the lexicon, its lexicon= text or None when too long for a link)


def _read_link_lexicon() -> None:
    """First use in a session: the link's ``lexicon=`` (if any), or the toy lexicon."""
    ss = st.session_state
    linked = st.query_params.get_all("lexicon")
    ss[_LEXICON], ss[_LEXICON_NOTICES] = None, []
    if not linked:
        return
    # A repeated lexicon= is said once, with the link's other notices (state.parse_query_params): the last is read.
    lexicon, notices = share.decode_lexicon(str(linked[-1]))
    ss[_LEXICON] = None if lexicon == core.TOY_LEXICON else lexicon
    ss[_LEXICON_NOTICES] = state.cap_notices(notices)


def lexicon() -> core.Lexicon:
    """The translator's lexicon: the learner's, or the toy lexicon."""
    if _LEXICON not in st.session_state:
        _read_link_lexicon()
    return st.session_state[_LEXICON] or core.TOY_LEXICON


def custom_lexicon() -> core.Lexicon | None:
    lexicon()
    return st.session_state[_LEXICON]


def take_lexicon_notices() -> list[Notice]:
    """What reading the link's lexicon found, shown once."""
    lexicon()
    notices = st.session_state.get(_LEXICON_NOTICES) or []
    st.session_state[_LEXICON_NOTICES] = []
    return notices


def set_lexicon(lexicon: core.Lexicon | None, *, from_editor: bool = False) -> None:
    """A new lexicon (None: the toy one). Unless the editors made it, they start again from it."""
    st.session_state[_LEXICON] = None if lexicon is None or lexicon == core.TOY_LEXICON else lexicon
    if not from_editor:
        discard_lexicon_draft()


def reset_lexicon() -> None:
    set_lexicon(None)


def lexicon_link() -> str | None:
    """The ``lexicon=`` value of the learner's lexicon, or None (the toy lexicon, or too long for a link)."""
    custom = custom_lexicon()
    if custom is None:
        return None
    cached = st.session_state.get(_LEX_LINK)
    if cached is None or cached[0] is not custom:
        text = share.encode_lexicon(custom)
        cached = st.session_state[_LEX_LINK] = (custom, text if len(text) <= share.MAX_LINK_CHARS else None)
    return cached[1]


def sync_lexicon_url() -> bool:
    """Write the lexicon into the URL (``lexicon=``), or take it out; False if it is too long for a link."""
    text = lexicon_link()
    if text is not None and st.query_params.get("lexicon") != text:
        st.query_params["lexicon"] = text
    elif text is None and "lexicon" in st.query_params:
        del st.query_params["lexicon"]
    return text is not None or custom_lexicon() is None


def lexicon_tables_for_editor(lang: str) -> tuple[dict[str, pd.DataFrame], str]:
    """The rows each editor is given, and the suffix of their widget keys (as ``table_for_editor``)."""
    from ui import translation  # computes with core; imported here as the page needs it

    ss = st.session_state
    run = ss.get(_RUN, 0)
    shown_last_run = ss.get(_LEX_RUN) == run - 1
    if ss.get(_LEX_BASE) is None or not shown_last_run or ss.get(_EDITOR_LANG + "_lexicon") != lang:
        draft = ss.get(_LEX_DRAFT)
        ss[_LEX_BASE] = dict(draft) if draft is not None else translation.lexicon_tables(lexicon())
        ss[_LEX_VERSION] = ss.get(_LEX_VERSION, 0) + 1
        ss[_EDITOR_LANG + "_lexicon"] = lang
    ss[_LEX_RUN] = run
    return ss[_LEX_BASE], str(ss[_LEX_VERSION])


def lexicon_editor_key(part: str, version: str) -> str:
    return f"lexicon_editor_{part}_{version}"


def lexicon_reading():
    """What the lexicon tables as last edited say (translation.LexiconReading), or None with no edit in progress."""
    return st.session_state.get(_LEX_READING)


def commit_lexicon_table(part: str, version: str) -> None:
    """Callback of a lexicon editor: its delta against its base table, read with the other tables as they are."""
    edit_lexicon_table(part, st.session_state.get(lexicon_editor_key(part, version)) or {})


def edit_lexicon_table(part: str, delta) -> None:
    """The base table of ``part`` plus an edit record of st.data_editor, read with the other tables as they are."""
    from ui import translation

    ss = st.session_state
    base = ss.get(_LEX_BASE)
    if base is None:
        return
    # The other tables as they stand: the draft, or (nothing pending) the lexicon's, which their grids show.
    draft = ss.get(_LEX_DRAFT)
    tables = dict(draft) if draft is not None else translation.lexicon_tables(lexicon())
    tables[part] = state.apply_editor_delta(base[part], delta)
    reading = translation.read_lexicon(tables)
    pending = bool(reading.errors or reading.waiting or reading.notes)
    ss[_LEX_DRAFT] = tables if pending else None
    ss[_LEX_READING] = reading if pending else None
    if reading.lexicon is not None and reading.lexicon != lexicon():
        set_lexicon(reading.lexicon, from_editor=True)


def discard_lexicon_draft() -> None:
    """Back to the lexicon in use: the draft dropped, the editors started again."""
    ss = st.session_state
    ss[_LEX_DRAFT] = None
    ss[_LEX_READING] = None
    ss[_LEX_BASE] = None


def commit_source(widget: str) -> None:
    """on_change of /translate's sentence box: the text cut, cleaned (state.clean_text) and lower-cased
    into the ``source`` setting; the page says what is wrong with it (translation.sentence_problem).
    A new sentence is shown from its first decoding step."""
    text = str(st.session_state.get(widget) or "")[: state.MAX_SOURCE_CHARS]
    update(source=" ".join(state.clean_text(text).text.lower().split()), tstep=1)


SOURCE_WIDGET = "w_translate_source"


def seed_source_widget(source: str) -> str:
    """/translate's sentence box starts from the sentence in use; returns its key."""
    st.session_state[SOURCE_WIDGET] = source
    return SOURCE_WIDGET


def source_sentence() -> str:
    """The English sentence /translate translates: the ``source`` setting."""
    return settings().source


# A scenario file may carry a lexicon (scenarios.Scenario.lexicon): opening one sets it too. The vocabulary
# section's reader above opens the file's view; this one, bound to the same name, then sets its lexicon
# (the toy one when the file has none), so the uploader's callback does both.
# --- the lesson's answers (/lesson) ------------------------------------------------------------
#
# What a learner picked and was told, by step id, for this browser tab only; the host's view
# remembers which answers it showed. The pages/7_lesson.py page reads and writes them here.

_LESSON_ANSWERS = "lesson_answers"  # step id -> the option the learner picked
_LESSON_SCORE = "lesson_score"  # step id -> right (True) or not, once revealed
_LESSON_SHOWN = "lesson_host_shown"  # step ids whose answer the host revealed
_LESSON_HOST = "lesson_host_toggle"  # the Host view toggle's key


def _lesson(key: str) -> dict:
    return st.session_state.setdefault(key, {})


def lesson_pick_widget(step_id: str) -> str:
    """The key of the step's answer picker, holding the answer picked before (None: none yet)."""
    key = f"lesson_pick_{step_id}"
    st.session_state[key] = _lesson(_LESSON_ANSWERS).get(step_id)
    return key


def lesson_pick(step_id: str, widget_key: str) -> None:
    """on_change of the picker: keep the learner's option."""
    value = st.session_state.get(widget_key)
    if value is not None:
        _lesson(_LESSON_ANSWERS)[step_id] = value


def lesson_answer(step_id: str) -> int | None:
    return _lesson(_LESSON_ANSWERS).get(step_id)


def lesson_reveal(step_id: str, right: bool) -> None:
    _lesson(_LESSON_SCORE)[step_id] = bool(right)


def lesson_verdict(step_id: str) -> bool | None:
    """Right or not once revealed; None before."""
    return _lesson(_LESSON_SCORE).get(step_id)


def lesson_score() -> tuple[int, int]:
    """(right answers, answers revealed)."""
    score = _lesson(_LESSON_SCORE)
    return sum(score.values()), len(score)


def lesson_host_shown(step_id: str) -> bool:
    return step_id in _lesson(_LESSON_SHOWN)


def lesson_host_show(step_id: str, shown: bool) -> None:
    if shown:
        _lesson(_LESSON_SHOWN)[step_id] = True
    else:
        _lesson(_LESSON_SHOWN).pop(step_id, None)


def lesson_started() -> bool:
    """Anything to start again: an answer revealed, or shown by the host."""
    return bool(_lesson(_LESSON_SCORE) or _lesson(_LESSON_SHOWN))


def lesson_reset() -> None:
    for key in (_LESSON_ANSWERS, _LESSON_SCORE, _LESSON_SHOWN):
        st.session_state[key] = {}


def lesson_host_widget(host: bool) -> str:
    """The Host view toggle's key, showing what the link says."""
    st.session_state[_LESSON_HOST] = host
    return _LESSON_HOST


def lesson_host_changed() -> None:
    """on_change of the Host view toggle: the link says host=1, or nothing."""
    if st.session_state[_LESSON_HOST]:
        st.query_params["host"] = "1"
    else:
        st.query_params.pop("host", None)
