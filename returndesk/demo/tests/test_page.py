"""The page at ``/``: says what returndesk is and links the API docs, the OpenAPI file and the admin."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def page(client):
    return client.get("/")


def test_the_page_answers_html(page):
    assert (page.status_code, page["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<h1>returndesk</h1>" in page.text
    assert "Returns for online marketplaces." in page.text


def test_the_page_links_the_api_docs_the_openapi_file_and_the_admin(page):
    links = re.findall(r'<a href="([^"]+)">', page.text)

    assert links == ["/api/v1/docs", "/api/v1/openapi.json", "/api/v1/health", "/admin/"]


def test_the_page_loads_nothing_from_another_host_and_runs_no_script(page):
    assert re.findall(r'(?:src|href)="(?!/)[^"]*"', page.text) == []
    assert "<script" not in page.text
    assert "style=" not in page.text


def test_the_page_fits_a_phone_and_names_its_language(page):
    assert '<html lang="en">' in page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "<main>" in page.text


def test_head_answers_and_other_methods_are_refused(client):
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405
