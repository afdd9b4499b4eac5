"""Re-sends racing for one buyer's address: exactly the hour's limit of them mail, the others are
refused, however they interleave. Real threads, each with its own connection, as server workers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from returndesk.core.errors import RateLimited
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import ReturnEvent
from returndesk.returns.services import return_code_resend
from returndesk.scenarios.journeys import return_to
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]
RACERS = 6


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database cannot serve a second connection; PostgreSQL runs this")


def _close() -> None:
    # The thread's own connection: ``connection`` is resolved in the thread that calls this.
    connection.close()


def test_concurrent_resends_mail_the_limit_and_no_more(keys, make_return) -> None:
    ret = return_to(make_return(), Status.APPROVED)
    agent = keys.actors["agent"]

    def resend() -> str:
        try:
            return_code_resend(code=ret.code, actor=agent)
        except RateLimited as refused:
            return refused.code
        return "sent"

    answers = at_once(RACERS, resend, on_exit=_close)

    assert sorted(answers) == ["rate_limited"] * (RACERS - 3) + ["sent"] * 3
    assert (ReturnEvent.objects.filter(return_request=ret, action="code_resent").count(), len(mail.outbox)) == (3, 3)
