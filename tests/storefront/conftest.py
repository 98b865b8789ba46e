"""Fixtures of the storefront's browser tests: the demo catalog indexed in a real Chroma server with a real
Celery worker keeping the index in step, a live server, and a Chromium page that may talk to that server only.

`shop` loads the demo catalog and builds the index; `page` is a fresh browser context (its own cookies and
sessionStorage) at `phone` or desktop width, whose requests to another host are aborted and recorded:
each test ends by asserting there were none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.models import IndexChange
from apps.catalog.models import Category
from apps.catalog.services.demo_catalog import load_demo_catalog
from tests.auto_index.helpers import wait_for
from tests.fixtures.browser import keep_on_host, launch_chromium

pytestmark = pytest.mark.integration

DEBOUNCE = 0.5
SETTLE_SECONDS = 30.0  # the outbox drains within a second or two; the rest is margin for a busy machine
IMAGES = Path(settings.BASE_DIR) / "docs" / "images"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def worker(celery_worker_factory, chroma_server):
    return celery_worker_factory(
        chroma_url=chroma_server.url,
        collection_prefix="storefront",
        env={"AI_INDEX_DEBOUNCE_SECONDS": str(DEBOUNCE), "AI_INDEX_SWEEP_GRACE_SECONDS": "0"},
    )


@pytest.fixture
def shop(worker, vector_index, transactional_db, settings):
    """The demo catalog, indexed; the outbox drained by the worker before the test starts."""
    settings.AI_INDEX_DEBOUNCE_SECONDS = DEBOUNCE
    scheduling.clear_scheduled_mark()
    load_demo_catalog()
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), SETTLE_SECONDS, message="the demo catalog's outbox to drain")
    return Category.objects.get(slug="bicycles")


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread, which Django takes for an async context
    # and refuses the ORM; the tests and fixtures here are plain synchronous code (Playwright's documented way).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_page(browser, live_server, viewport: dict):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    keep_on_host(page, live_server.url)
    return context, page


@pytest.fixture
def page(browser, live_server, shop):
    context, page = open_page(browser, live_server, DESKTOP)
    yield page
    context.close()
    assert page.blocked == [], "the storefront asked another host"


@pytest.fixture
def phone(browser, live_server, shop):
    context, page = open_page(browser, live_server, PHONE)
    yield page
    context.close()
    assert page.blocked == [], "the storefront asked another host"


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Save the README's screenshot `docs/images/<name>.png`, from the top of the page."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full_page)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
