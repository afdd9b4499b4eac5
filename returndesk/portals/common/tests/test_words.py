"""Every member of every enum a page shows has words; templates reach them through ``word``."""

from __future__ import annotations

import pytest
from django.template import engines

from returndesk.portals.common.words import NON_ACTION_EVENTS, VOCABULARIES, word
from returndesk.returns.domain.lifecycle import Status


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_each_member_of_the_enum_has_words_and_nothing_else_does(vocabulary):
    enum, words = VOCABULARIES[vocabulary]
    extra = set(NON_ACTION_EVENTS) if vocabulary == "event" else set()

    assert set(words) == {member.value for member in enum} | extra
    assert all(str(words[member]).strip() for member in enum)
    assert all(str(words[member]) != member.value for member in enum if "_" in member.value)


def test_buttons_are_named_as_the_issue_names_them():
    buttons = [word(name, "button") for name in ("open_return", "check", "search", "sign_in", "sign_out", "copy")]
    actions = [word(name, "action") for name in ("approve", "reject", "receive", "inspect", "cancel")]

    assert buttons == ["Open the return", "Check", "Search", "Sign in", "Sign out", "Copy"]
    assert actions == ["Approve", "Reject", "Receive", "Inspect", "Cancel the return"]


def test_a_buyer_reads_the_timeline_s_actors_as_you_and_the_seller():
    assert [word(kind, "actor_for_buyer") for kind in ("buyer", "seller_user", "agent")] == [
        "you",
        "the seller",
        "customer service",
    ]


def test_the_template_filter_shows_words_and_a_value_without_words_as_stored():
    template = engines["django"].from_string(
        '{% load portal_words %}{{ status|word:"status" }} / {{ other|word:"anomaly" }}'
    )

    assert template.render({"status": Status.IN_TRANSIT, "other": "seal_broken"}) == "In transit / seal_broken"


def test_an_unknown_vocabulary_is_a_bug_not_a_blank():
    with pytest.raises(KeyError):
        word("approved", "statuses")
