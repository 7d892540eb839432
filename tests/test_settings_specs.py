"""One row per setting: every spec has its strings, its README row, a round trip through a link."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

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
