"""``/demo/mail/``: what the file email backend wrote, newest first, links clickable; demo only."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from django.core.mail import EmailMessage, get_connection

from returndesk.demo.keys_file import DemoSecret, keys_write
from returndesk.demo.mailbox import mailbox_messages


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path


@pytest.fixture
def demo(data_dir):
    keys_write([DemoSecret("platform", "Demo platform", "rdk_x")])


def _send(settings, *messages: tuple[str, str, str, datetime]) -> None:
    """Send through Django's file backend, as returndesk does in demo mode: one connection, one file."""
    connection = get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=settings.EMAIL_FILE_PATH)
    connection.send_messages([
        EmailMessage(subject, body, "returndesk@example.com", [to], headers={"Date": format_datetime(at)})
        for to, subject, body, at in messages
    ])  # fmt: skip


def test_messages_are_read_back_newest_first_across_files(settings, data_dir):
    _send(settings, ("ana@example.com", "First", "one", datetime(2025, 3, 1, 9, tzinfo=UTC)),
          ("ben@example.com", "Third", "three", datetime(2025, 3, 1, 11, tzinfo=UTC)))  # fmt: skip
    _send(settings, ("chloe@example.com", "Second", "two\n" + "-" * 10, datetime(2025, 3, 1, 10, tzinfo=UTC)))

    found = mailbox_messages()

    assert [(message.to, message.subject, message.body.strip()) for message in found] == [
        ("ben@example.com", "Third", "three"),
        ("chloe@example.com", "Second", "two\n----------"),
        ("ana@example.com", "First", "one"),
    ]
    assert found[0].sent_at == datetime(2025, 3, 1, 11, tzinfo=UTC)


def test_no_mail_sent_yet_is_an_empty_mailbox(data_dir):
    assert mailbox_messages() == []


def test_the_page_lists_each_message_with_its_link_clickable_and_its_text_escaped(client, settings, demo):
    link = "http://127.0.0.1:8000/buyer/link/abc123"
    _send(settings, ("ana@example.com", "Your sign-in link", f"Sign in: {link}\n<b>not bold</b>",
                     datetime(2025, 3, 1, 9, 30, tzinfo=UTC)))  # fmt: skip

    page = client.get("/demo/mail/")

    assert page.status_code == 200
    assert re.findall(r"<article data-mail>", page.text) == ["<article data-mail>"]
    assert "<h2>Your sign-in link</h2>" in page.text
    assert "To: <span data-mail-to>ana@example.com</span>" in page.text
    assert '<time datetime="2025-03-01T09:30:00+00:00">1 Mar 2025, 09:30:00 UTC</time>' in page.text
    assert f'Sign in: <a href="{link}" rel="nofollow">{link}</a>' in page.text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page.text


def test_an_empty_mailbox_says_so(client, demo):
    page = client.get("/demo/mail/")

    assert page.status_code == 200
    assert "No email has been sent yet." in page.text


def test_outside_demo_mode_the_mailbox_is_404(client, settings, data_dir):
    _send(settings, ("ana@example.com", "Secret", "a link", datetime(2025, 3, 1, tzinfo=UTC)))

    page = client.get("/demo/mail/")

    assert page.status_code == 404
    assert 'data-problem="not_found"' in page.text
    assert "Secret" not in page.text
