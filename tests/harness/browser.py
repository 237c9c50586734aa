"""`browser` and `page`: Playwright driving Debian's chromium (never a downloaded one)."""

import pytest

from tests.harness.services import chromium_path, require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    require(chromium_path() is not None, "chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab at phone size (360 px wide), with its own cookies."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, user) -> None:
    """Sign this browser tab in as `user`: a session made as the test client makes one,
    its cookie given to the browser (no password typed, so no login rate limit)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    if page.url == "about:blank":
        page.goto("/")
    origin = page.url.split("/", 3)[:3]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": "/".join(origin),
            }
        ]
    )
