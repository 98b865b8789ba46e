"""A real browser (the system Chromium, driven by Playwright) opens /api/docs/ and /api/redoc/ on a live server
with every request to another host refused, and sees the API's operations listed: the docs work offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.fixtures.browser import keep_on_host, launch_chromium


@pytest.fixture
def offline_page(live_server):
    """A page whose requests to anything but the live server are aborted (and recorded in `page.blocked`)."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        keep_on_host(page, live_server.url)
        try:
            yield page
        finally:
            browser.close()


def test_swagger_ui_lists_the_operations_offline(live_server, offline_page):
    response = offline_page.goto(f"{live_server.url}/api/docs/")
    assert response is not None and response.status == 200
    offline_page.wait_for_selector(".opblock", timeout=30_000)
    paths = offline_page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) >= 40
    assert {"/api/products/", "/api/configurator/quote", "/api/ai-assistant/search"} <= {p.strip() for p in paths}
    assert "Validate and price a selection" in offline_page.content()  # summaries are shown
    assert offline_page.blocked == []  # nothing outside our server was needed


def test_redoc_lists_the_operations_offline(live_server, offline_page):
    response = offline_page.goto(f"{live_server.url}/api/redoc/")
    assert response is not None and response.status == 200
    # Rendered once the schema is parsed (the menu keeps tag groups folded, hence "attached").
    offline_page.get_by_text("Search the catalog").first.wait_for(state="attached", timeout=30_000)
    assert "List products" in offline_page.content()
    assert offline_page.blocked == []
