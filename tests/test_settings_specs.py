"""One row per setting: every spec has its strings, its README row, a round trip through a link, and says
which passes it changes."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest

import core
from ui import state
from ui.i18n import CATALOGUE
from ui.state import DEFAULTS, SPECS, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_settings_has_one_field_per_spec_in_order():
    assert [f.name for f in fields(Settings)] == [s.name for s in SPECS]
    assert all(getattr(DEFAULTS, s.name) == s.default for s in SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_spec_has_its_label_help_and_choices_in_both_languages(spec):
    for key in filter(None, (spec.label, spec.help)):
        assert set(CATALOGUE[key]) == set(state.LANGS), key
    if spec.kind == "choice" and spec.name != "lang":
        for choice in spec.choices:
            assert set(CATALOGUE[f"{spec.name}.{choice}"]) == set(state.LANGS)
    if spec.kind in ("int", "float"):
        assert spec.lo <= (spec.default if spec.default is not None else spec.lo) <= spec.hi


def readme_parameters() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Links carry the view", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)`", section, flags=re.MULTILINE))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_spec_has_a_row_in_the_readme(spec):
    assert spec.name in readme_parameters()


def test_the_readme_lists_no_parameter_the_app_does_not_read():
    from ui.state import PAGE_PARAMS

    # besides the settings: the edited table (ui/share.py) and the lesson's own step and host view
    assert readme_parameters() <= {s.name for s in SPECS} | {"vocab", *PAGE_PARAMS}


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind in ("int", "float")], ids=lambda s: s.name)
def test_a_number_setting_at_either_end_round_trips_and_past_it_is_clamped(spec):
    extra = {"dim": {"preset": "random"}, "head": {"heads": "16"}}.get(spec.name, {})  # what the value depends on
    for value in (spec.lo, spec.hi):
        settings, notices = state.parse_query_params({spec.name: state.format_value(value), **extra})
        assert notices == [] and getattr(settings, spec.name) == value
    settings, notices = state.parse_query_params({spec.name: state.format_value(spec.hi * 2 + 1), **extra})
    assert [n.key for n in notices] == ["notice.param_clamped"] and getattr(settings, spec.name) == spec.hi


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind == "choice"], ids=lambda s: s.name)
def test_every_choice_is_read_from_a_link(spec):
    for choice in spec.choices:
        settings, notices = state.parse_query_params({spec.name: choice.upper()})
        assert notices == [] and getattr(settings, spec.name) == choice


# --- which settings change a computed pass -----------------------------------------------------
# ``Spec.in_pass`` and ``Spec.in_decoder`` say which settings a pass is computed from; the keys read
# the flags, so a wrong flag is either a pass computed again for nothing or a stale pass shown.

OTHER_VALUE = {
    "ffn": 12,
    "steps": 20,
    "sentence": "b a",
    "source": "the dog ran to the park",
    "cell": (1, 2),
    "layer": 2,
    "dcell": (2, 1),
}


def another(spec: state.Spec, settings: Settings):
    """A valid value of ``spec`` other than the one ``settings`` holds."""
    value = getattr(settings, spec.name)
    if spec.name in OTHER_VALUE:
        return OTHER_VALUE[spec.name]
    if spec.kind == "choice":
        return next(c for c in spec.choices if c != value)
    if spec.name == "heads":
        return value * 2  # 2 -> 4: a count the decoder's width of 32 divides by, so it uses it
    if spec.kind == "int":
        return value + 1
    if spec.kind == "float":
        return value * 2
    if spec.kind == "heads":
        return (1,)
    raise AssertionError(f"no other value for {spec.name}: add one to OTHER_VALUE")


BASE = Settings(preset="random", sentence="a b c a d", dim=6, heads=3, seed=5)
VOCAB = state.preset_vocabulary(BASE)


def pass_key(settings: Settings):
    from ui import compute

    return compute.PassKey.of(settings, VOCAB)


def decoder_key(settings: Settings):
    from ui import decoder_pass

    return decoder_pass.DecoderKey.of(settings, tuple(state.SOURCE_SENTENCE.split()), core.TOY_LEXICON)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_a_setting_changes_the_encoders_pass_key_exactly_when_its_spec_says_so(spec):
    changed = replace(BASE, **{spec.name: another(spec, BASE)})
    if spec.name == "weights":  # the trained block: the pass's weights come from compute.TrainKey
        assert pass_key(changed).settings == pass_key(BASE).settings and pass_key(changed).trained is not None
    else:
        assert (pass_key(changed) != pass_key(BASE)) == spec.in_pass
    if spec.paper_only:  # the article's code has none of the paper's settings
        tutorial = replace(BASE, mode="tutorial")
        assert pass_key(replace(tutorial, **{spec.name: another(spec, tutorial)})) == pass_key(tutorial)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_a_setting_changes_the_decoders_key_exactly_when_its_spec_says_so(spec):
    changed = replace(state.DEFAULTS, **{spec.name: another(spec, state.DEFAULTS)})
    assert (decoder_key(changed) != decoder_key(state.DEFAULTS)) == spec.in_decoder
    if spec.paper_only:
        tutorial = replace(state.DEFAULTS, mode="tutorial")
        assert decoder_key(replace(tutorial, **{spec.name: another(spec, tutorial)})) == decoder_key(tutorial)


def reads(key, run) -> set[str]:
    """The settings ``run`` reads from ``key.settings`` (handed a copy that notes every setting read)."""
    seen = set()

    class Noting(Settings):
        def __getattribute__(self, name):
            if name in state.SPEC:
                seen.add(name)
            return super().__getattribute__(name)

    run(replace(key, settings=Noting(**{s.name: getattr(key.settings, s.name) for s in SPECS})))
    return seen


def test_the_passes_read_every_setting_their_keys_hold_and_no_other():
    from ui import compute, decoder_pass

    def encoder(key):
        compute._run.__wrapped__(key, VOCAB)  # uncached, with the dispatch that reads the mode

    encoder_reads = reads(pass_key(BASE), encoder) | reads(pass_key(replace(BASE, mode="tutorial")), encoder)
    assert encoder_reads == {s.name for s in SPECS if s.in_pass}
    assert reads(decoder_key(state.DEFAULTS), decoder_pass.compute) == {s.name for s in SPECS if s.in_decoder}
