"""What the seller's pages read from a query string or a form, checked as the API checks it.

The action forms are validated by the API's own request schemas (``RejectIn``, ``ReceiveIn``,
``InspectIn``): an empty Reason is the same 422 ``validation_error`` on the page as in the API,
and the selects can only carry the values the API takes. A refusal lists each field under
``form`` (or ``query``) where the API says ``body``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from django.http import QueryDict
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from returndesk.core.errors import ValidationFailed
from returndesk.core.schemas import integral_number
from returndesk.receiving.schemas import ReceiveIn
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.schemas import InspectIn, RejectIn
from returndesk.returns.selectors import ReturnFilters

Input = TypeVar("Input", bound=BaseModel)

# JSON's number grammar, in ASCII digits ("²" is a digit to str.isdigit, not to int()).
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def json_number(text: str) -> object:
    """A number typed in a form as the API's JSON would carry it (-5, 30.0 and 3e1 are judged as
    there: out of bounds, thirty, thirty); anything else as typed, for the schema to refuse."""
    text = text.strip()
    return integral_number(json.loads(text)) if len(text) <= 32 and _JSON_NUMBER.fullmatch(text) else text


def checked(schema: type[Input], data: dict[str, Any], *, source: str) -> Input:
    """``data`` as ``schema``, or 422 ``validation_error`` listing each field as the API does."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(
            errors=[
                {"loc": [source, *problem["loc"]], "msg": problem["msg"], "type": problem["type"]}
                for problem in error.errors(include_url=False)
            ]
        ) from None


class QueueQuery(BaseModel):
    """The queue's filters. Unknown parameters are ignored: a page's address may carry others
    (a bookmark's, a tracker's) without refusing the page."""

    model_config = ConfigDict(extra="ignore")

    status: Status | None = None
    order_number: str | None = Field(default=None, max_length=100)
    # The order's external id, as the API's ``order``: links from elsewhere may name an order so.
    order: str | None = Field(default=None, max_length=100)
    created_from: date | None = None
    created_to: date | None = None
    cursor: str | None = Field(default=None, max_length=500)

    def filters(self) -> ReturnFilters:
        """The dates are whole days in UTC, both included (``ReturnFilters`` compares strictly)."""
        if self.created_from and self.created_to and self.created_to < self.created_from:
            raise ValidationFailed(
                "The end date comes before the start date.",
                errors=[{"loc": ["query", "created_to"], "msg": "Must not be before created_from", "type": "range"}],
            )
        after = _midnight(self.created_from) - timedelta(microseconds=1) if self.created_from else None
        before = _midnight(self.created_to + timedelta(days=1)) if self.created_to else None
        return ReturnFilters(
            status=self.status,
            order=self.order,
            order_number=self.order_number,
            created_after=after,
            created_before=before,
        )

    def query_string(self, **changes: str | None) -> str:
        """These filters (with ``changes``) as a query string, empty values left out."""
        values = {name: getattr(self, name) for name in type(self).model_fields} | changes
        encoded = QueryDict(mutable=True)
        for name, value in values.items():
            if value not in (None, ""):
                encoded[name] = value.isoformat() if isinstance(value, date) else str(value)
        return encoded.urlencode()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def queue_query(params: QueryDict) -> QueueQuery:
    # An empty field of the filter form means "any": it is not a value to check.
    given = {name: value for name, value in params.items() if value != ""}
    return checked(QueueQuery, given, source="query")


def reject_input(form: QueryDict) -> RejectIn:
    return checked(RejectIn, _present(form, "reason"), source="form")


def receive_input(form: QueryDict) -> ReceiveIn:
    return checked(ReceiveIn, _present(form, "note"), source="form")


def inspect_input(form: QueryDict) -> InspectIn:
    """One fieldset per line: its ``line`` (hidden), ``outcome`` and ``condition``, in page order."""
    lines, outcomes, conditions = form.getlist("line"), form.getlist("outcome"), form.getlist("condition")
    count = max(len(lines), len(outcomes), len(conditions))
    rows = [
        {
            name: values[index]
            for name, values in (("line", lines), ("outcome", outcomes), ("condition", conditions))
            if index < len(values)
        }
        for index in range(count)
    ]
    return checked(InspectIn, {"lines": rows}, source="form")


def _present(form: QueryDict, *names: str) -> dict[str, str]:
    """The fields the form sent: a missing one is missing, as an absent JSON member is to the API."""
    return {name: str(form.get(name, "")) for name in names if name in form}
