"""The page at ``/``: what returndesk is and where each portal is; in demo mode, how to try it."""

from __future__ import annotations

import re

import pytest

from returndesk.demo.keys_file import keys_write
from returndesk.demo.seed import demo_seed
from returndesk.returns.domain import codes
from returndesk.returns.models import Return
from returndesk.testing import NOW, frozen_clock

PORTALS_AND_API = ["/buyer/", "/seller/", "/counter/", "/agent/", "/api/v1/docs", "/api/v1/openapi.json",
                   "/api/v1/health", "/admin/"]  # fmt: skip


@pytest.fixture
def data_dir(settings, tmp_path):
    """A data directory of the test's own: no demo keys file unless the test writes one."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def page(client, db, data_dir):
    return client.get("/")


def test_the_page_says_what_returndesk_is_on_the_portals_layout(page):
    assert (page.status_code, page["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<h1>returndesk</h1>" in page.text
    assert "Returns for online marketplaces." in page.text
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page.text


def test_out_of_demo_mode_it_links_the_portals_and_the_api_and_nothing_of_the_demo(page):
    links = re.findall(r'<a href="([^"]+)"', page.text)

    assert links == ["/", *PORTALS_AND_API]
    assert "data-demo" not in page.text
    assert "/demo/mail/" not in page.text


def test_the_page_loads_nothing_from_another_host_and_has_no_inline_script_or_style(page):
    assert re.findall(r'(?:src|href|action)="(?!/|#)[^"]*"', page.text) == []
    assert re.findall(r"<script(?![^>]*\bsrc=\"/)", page.text) == []
    assert "<style" not in page.text
    assert "style=" not in page.text


def test_the_page_fits_a_phone_and_names_its_language(page):
    assert '<html lang="en">' in page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert '<main id="main" tabindex="-1">' in page.text


def test_head_answers_and_other_methods_are_refused(client, db, data_dir):
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405


ROLE_WORDS = {
    "seller_manager": "seller manager",
    "seller_warehouse": "seller warehouse",
    "agent": "customer service agent",
    "supervisor": "customer service supervisor",
    "counter": "drop-off counter",
}


def test_in_demo_mode_it_shows_the_sign_ins_the_buyers_the_mailbox_and_codes_to_try(client, db, data_dir):
    secrets = demo_seed(now=NOW)
    keys_write(secrets)
    staff = [(row.role.removeprefix("user:"), row.name, row.secret) for row in secrets if row.role.startswith("user:")]
    valid = codes.display(Return.objects.get(status="approved", ship_by__gt=NOW).code)

    with frozen_clock(NOW):
        page = client.get("/")

    assert page.status_code == 200
    assert re.findall(r'<tr data-demo-sign-in="([^"]+)"><td>([^<]+)</td><td><code>([^<]+)</code></td>'
                      r"<td><code data-password>([^<]+)</code>", page.text) == [
        (role, ROLE_WORDS[role], email, password) for role, email, password in staff
    ]  # fmt: skip
    assert [email for _, email, _ in staff] == [
        "manager@lumen.example",
        "manager@knit.example",
        "manager@volt.example",
        "warehouse@volt.example",
        "agent@returndesk.example",
        "supervisor@returndesk.example",
        "counter@post.example",
    ]
    assert re.findall(r"<code data-demo-buyer>([^<]+)</code>", page.text) == [
        "ana@example.com",
        "ben@example.com",
        "chloe@example.com",
    ]
    assert '<a href="/demo/mail/">demo mailbox</a>' in page.text
    assert f"<tr><td>valid</td><td><code data-demo-code>{valid}</code></td></tr>" in page.text
    assert re.findall(r"<code data-demo-code>", page.text) == ["<code data-demo-code>"] * 4


def test_the_api_docs_load_nothing_from_another_origin(client):
    docs = client.get("/api/v1/docs")

    assert docs.status_code == 200
    assert re.findall(r'(?:src|href)="([^"]+)"', docs.text) == [
        "/static/ninja/swagger-ui.css",
        "/static/portals/api-docs.css",
        "/static/ninja/favicon.svg",
        "/static/ninja/favicon.png",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    # Swagger UI would otherwise ask validator.swagger.io to check the schema.
    assert '"validatorUrl": null' in docs.text
