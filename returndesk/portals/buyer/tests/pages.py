"""What the buyer pages' tests share: a frozen clock, scenes, and reading a page as a person would."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

_PROBLEM = re.compile(
    r'data-problem="(?P<code>[^"]+)".*?<h[12] id="problem-title">(?P<title>.*?)</h[12]>\s*<p>(?P<detail>.*?)</p>',
    re.DOTALL,
)
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def shown_problem(page: bytes) -> dict[str, str]:
    """The code, title and detail the problem partial shows."""
    found = _PROBLEM.search(page.decode())
    assert found is not None, page.decode()
    return {name: html.unescape(value).strip() for name, value in found.groupdict().items()}


def api_problem(answer: Any) -> dict[str, str]:
    body = answer.json()
    return {"code": body["code"], "title": body["title"], "detail": body["detail"]}


def form_token(page: bytes) -> str:
    found = _TOKEN.search(page.decode())
    assert found is not None, page.decode()
    return found.group(1)


def open_return_form(client: Client, order: str) -> str:
    """GET the order's return form; its one-time token."""
    answer = client.get(f"/buyer/orders/{order}/return")
    assert answer.status_code == 200, answer.content.decode()
    return form_token(answer.content)


def line_fields(index: int, line: str, quantity: int, reason: str = "", note: str = "") -> dict[str, str]:
    prefix = f"line-{index}"
    return {
        f"{prefix}-line": line,
        f"{prefix}-quantity": str(quantity),
        f"{prefix}-reason": reason,
        f"{prefix}-note": note,
    }
