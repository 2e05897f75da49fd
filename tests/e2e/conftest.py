"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os

import pytest

from tests.e2e import a11y

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it are ordinary
# synchronous ones, so Django's async-safety guard would be a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = browser.new_context

        def checked_context(*args, **kwargs):
            # Every page of every context gets the automatic accessibility checks (tests/e2e/a11y.py).
            context = new_context(*args, **kwargs)
            if kwargs.get("java_script_enabled", True):  # axe is JavaScript: no-JS pages are checked in JS journeys
                context.on("page", a11y.watch)
            return context

        browser.new_context = checked_context
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture
def page(request, browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    page = a11y.watch(context.new_page())
    # Every journey also proves the Content-Security-Policy breaks nothing: Chromium reports each refusal.
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    if not page.is_closed() and not getattr(request.node, "e2e_call_failed", True):
        a11y.check_a11y(page)  # the state the test ended on
    context.close()
    assert not refused, f"the page broke the Content-Security-Policy: {refused}"


@pytest.fixture
def login(page):
    """Sign in through the real login form."""
    from tests.factories import DEFAULT_PASSWORD

    def do(user, password: str = DEFAULT_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Email address", exact=True).fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do
