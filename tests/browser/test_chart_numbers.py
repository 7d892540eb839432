"""Numbers in the drawn charts: the page's language in cells and ticks, and no number across a dashed rule."""

from __future__ import annotations

import json
import re

import pytest
from helpers import CHART, goto, signatures

pytestmark = pytest.mark.browser

DECIMAL_POINT = re.compile(r"^[−-]?\d+\.\d+$")
DECIMAL_COMMA = re.compile(r"^[−-]?\d+,\d+$")

# Every text mark of a chart's SVG that overlaps one of its dashed rules, side to side (a rule spans its plot's
# height): the number and the rule, with their boxes in px.
_TEXTS_ON_DASHED_RULES_JS = """
(el) => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
  const rules = [...el.querySelectorAll('.mark-rule.role-mark line, .mark-rule.role-mark path')]
    .filter(p => (p.getAttribute('stroke-dasharray') || '').trim()).map(box);
  const texts = [...el.querySelectorAll('.mark-text.role-mark text')].map(t => [t.textContent, box(t)]);
  const hits = [];
  for (const r of rules) {
    for (const [text, b] of texts) {
      const across = b[0] < r[1] + 1 && b[1] > r[0] - 1 && b[2] < r[3] && b[3] > r[2];
      if (across) hits.push({text, box: b, rule: r});
    }
  }
  return {rules: rules.length, texts: texts.length, hits};
}
"""


def test_a_portuguese_page_writes_decimal_commas_in_cells_and_ticks(server, page):
    goto(page, f"{server}/add-norm?lang=pt", min_charts=4)
    texts = [t for sig in signatures(page) if sig.startswith("{") for t in json.loads(sig)["texts"]]
    assert [t for t in texts if DECIMAL_COMMA.match(t)], texts  # "-0,826" in a cell, "0,5" on an axis
    assert not [t for t in texts if DECIMAL_POINT.match(t)]


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_no_number_is_written_across_the_dashed_rule_of_the_spread(server, page, lang):
    """The default sentence's spreads before the norm (0.82, 0.98 beside the rule at 1) once ran into it."""
    goto(page, f"{server}/add-norm?lang={lang}", min_charts=4)
    found = [page.locator(CHART).nth(i).evaluate(_TEXTS_ON_DASHED_RULES_JS) for i in range(page.locator(CHART).count())]
    assert sum(f["rules"] for f in found) >= 2 and sum(f["texts"] for f in found) >= 16  # before and after
    assert [hit for f in found for hit in f["hits"]] == []
