"""The buyer pages' own words cover every status and every deadline; codes read symbol by symbol."""

from __future__ import annotations

from returndesk.policies.domain.advice import Suggestion
from returndesk.portals.buyer.words import DEADLINE, NEXT_STEP, PREFERRED_RESOLUTION, SUGGESTION
from returndesk.portals.templatetags.return_codes import code_display, code_spelled
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.domain.requests import PreferredResolution


def test_every_status_has_a_next_step_and_every_deadline_a_sentence():
    assert set(NEXT_STEP) == set(Status)
    assert set(DEADLINE) == set(DueAction)
    assert all("%(when)s" in str(sentence) for sentence in DEADLINE.values())


def test_every_preferred_resolution_and_suggestion_has_words():
    assert (set(PREFERRED_RESOLUTION), set(SUGGESTION)) == (set(PreferredResolution), set(Suggestion))


def test_a_code_is_grouped_and_spelled_group_by_group():
    assert code_display("K7Q2XM4D9T306") == "K7Q2-XM4D-9T30-6"
    assert code_spelled("K7Q2XM4D9T306") == "K 7 Q 2, X M 4 D, 9 T 3 0, 6"
