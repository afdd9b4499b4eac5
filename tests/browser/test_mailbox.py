"""Reading the demo's mailbox as Django's file email backend writes it (no browser needed)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.browser.harness import Mail, mailbox


def send(directory: Path, *messages: tuple[str, str, str]) -> BaseEmailBackend:
    """Send (to, subject, body) messages over one file-backend connection: one file, in order.

    The backend names its file after the connection's id(): the caller keeps the connection, so
    that the next one cannot reuse its id and append to its file.
    """
    connection = mail.get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=str(directory))
    connection.send_messages(
        [mail.EmailMessage(subject, body, "returndesk@example.com", [to]) for to, subject, body in messages]
    )
    return connection


def test_messages_come_newest_first_across_files_with_their_links(tmp_path: Path) -> None:
    connections = [
        send(
            tmp_path,
            ("ana@example.com", "First", "Sign in: http://127.0.0.1:8000/buyer/link/AAA\nThanks."),
            ("Bo@Example.com", "Second", "No link here."),
        )
    ]
    (older,) = tmp_path.iterdir()
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))
    connections.append(
        send(
            tmp_path,
            (
                "ana@example.com",
                "Third",
                "Open https://returns.example/buyer/returns/K7Q2 (once) or\n<http://x.example/y>",
            ),
        )
    )

    messages = mailbox(tmp_path)

    assert len(connections) == len(list(tmp_path.iterdir())) == 2
    assert messages == [
        Mail(
            to=("ana@example.com",),
            subject="Third",
            body="Open https://returns.example/buyer/returns/K7Q2 (once) or\n<http://x.example/y>",
        ),
        Mail(to=("Bo@Example.com",), subject="Second", body="No link here."),
        Mail(
            to=("ana@example.com",),
            subject="First",
            body="Sign in: http://127.0.0.1:8000/buyer/link/AAA\nThanks.",
        ),
    ]
    assert [message.links for message in messages] == [
        ["https://returns.example/buyer/returns/K7Q2", "http://x.example/y"],
        [],
        ["http://127.0.0.1:8000/buyer/link/AAA"],
    ]


def test_a_missing_mail_directory_holds_no_messages(tmp_path: Path) -> None:
    assert mailbox(tmp_path / "mail") == []
