"""The API docs page (/api/v1/docs) is ours: its language, no deep links, our contrast fixes, and
still no inline script or style (the browser tests run axe-core on it)."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    return client.get("/api/v1/docs").content.decode()


def test_the_docs_page_says_its_language_and_has_a_main_landmark(client):
    page = _page(client)

    assert '<html lang="en">' in page
    assert '<main id="swagger-ui"></main>' in page


def test_swagger_ui_is_set_without_deep_links_or_the_validator_badge(client):
    settings_json = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', _page(client), re.S
    )

    assert settings_json is not None
    assert json.loads(settings_json.group(1)) == {
        "layout": "BaseLayout",
        "deepLinking": False,
        "validatorUrl": None,
        "url": "/api/v1/openapi.json",
    }


def test_the_contrast_stylesheet_follows_swagger_ui_s_and_nothing_is_inline(client):
    page = _page(client)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
    scripts = re.findall(r"<script([^>]*)>", page)

    assert stylesheets == ["/static/ninja/swagger-ui.css", "/static/portals/api-docs.css"]
    assert client.get(stylesheets[1]).status_code == 200
    # The settings are JSON data for ninja's swagger-ui-init.js; every script that runs is a file.
    assert scripts == [
        ' type="application/json" id="swagger-settings"',
        ' src="/static/ninja/swagger-ui-bundle.js"',
        ' src="/static/ninja/swagger-ui-init.js"',
    ]
    assert "style=" not in page
    assert "<style" not in page
