"""The demo's mailbox: the messages Django's file email backend wrote into ``EMAIL_FILE_PATH``.

The backend appends each message to a ``.log`` file (one file per connection) followed by a line
of 79 dashes; the messages are read back with Python's ``email`` package, newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

# What the file backend writes after each message (django.core.mail.backends.filebased).
_SEPARATOR = re.compile(rb"^-{79}$\n?", re.MULTILINE)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    sent_at: datetime | None
    body: str


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _messages_in(path: Path) -> list[MailMessage]:
    found = []
    for chunk in _SEPARATOR.split(path.read_bytes()):
        if not chunk.strip():
            continue
        message = message_from_bytes(chunk, policy=policy.default)
        assert isinstance(message, EmailMessage)  # what policy.default parses to
        found.append(
            MailMessage(
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                sent_at=_sent_at(message),
                body=_body(message),
            )
        )
    return found


def mailbox_messages() -> list[MailMessage]:
    """Every message the file backend wrote, newest first (none when nothing was sent yet)."""
    directory = Path(settings.EMAIL_FILE_PATH)
    if not directory.is_dir():
        return []
    messages = [message for path in sorted(directory.glob("*.log")) for message in _messages_in(path)]
    # Files are named by the second they were opened and a connection holds several messages:
    # the Date header orders them; sorted() is stable, so ties keep the files' order, reversed.
    return sorted(messages, key=lambda message: message.sent_at or _EARLIEST, reverse=True)
