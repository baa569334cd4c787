"""Playwright against pytest-django's live server, with Debian's Chromium (Playwright cannot download one)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.chromium import launch_chromium

# Playwright's sync API runs an event loop in this thread; the ORM (factories, the live server's test
# database set-up) would otherwise refuse to run next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DESKTOP = {"width": 1366, "height": 900}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def console_errors():
    """Every console error and uncaught exception of the page fixture's pages."""
    return []


@pytest.fixture
def page(context, console_errors):
    page = context.new_page()
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def new_page(browser, console_errors):
    """Opens pages in fresh contexts with other options than `context`'s (java_script_enabled=False, ...).

    Like the page fixture, they report console errors and uncaught exceptions to console_errors; their
    contexts close after the test.
    """
    contexts = []

    def open_page(**options):
        context = browser.new_context(viewport=DESKTOP, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: console_errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
