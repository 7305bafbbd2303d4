"""A message template is filled on the server by the rule the Settings preview uses: both are
tested on the cases in notify_render_cases.json (pwa/test/admin.test.ts reads it too)."""
import json
from pathlib import Path

import pytest

from chalicelib.outward.notify.steps import render

CASES = json.loads((Path(__file__).parent / "notify_render_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:20] for case in CASES])
def test_the_server_fills_a_template_as_the_preview_shows_it(case):
    assert render(case["template"], shop=case["shop"], plate=case["plate"], link=case["link"],
                  total=case["total"]) == case["text"]
