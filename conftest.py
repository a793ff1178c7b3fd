"""Shared test set-up: the test environment, and fixtures every app's tests use."""

from __future__ import annotations

import os

os.environ.setdefault("GRIDGOV_ENV", "test")

import pytest

_DB_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "django_db_reset_sequences", "_django_db_helper"}
)


@pytest.fixture(autouse=True)
def _fresh_grid_index(request, settings):
    """Each test sees its own database, so the per-process grid index must start empty."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.db import BaseDatabaseCache

    from regions import index

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not isinstance(caches["default"], BaseDatabaseCache):
        cache.clear()
    elif request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames):
        # Without Redis the shared cache is a table of the test database (gridgov.settings):
        # set the database up first, then empty the table.
        request.getfixturevalue("_django_db_helper")
        cache.clear()
    index.reset()
    yield
    index.reset()


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: skip them with one line when it is absent,
    unless GRIDGOV_REQUIRE_BROWSER=1 (CI), where they run and fail loudly."""
    from gridgov.testing.browser import CHROMIUM, browser_available, browser_required

    if browser_available() or browser_required():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Playwright, Debian's binary)."""
    from playwright.sync_api import sync_playwright

    from gridgov.testing.browser import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # "inside" it unless told that this is deliberate (tests only).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def browser_context(browser):
    from gridgov.testing.browser import DESKTOP

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def login_as(browser_context, live_server):
    """Sign a browser context in as a user without typing (session cookie from force_login)."""
    from urllib.parse import urlparse

    from django.conf import settings
    from django.test import Client

    def login(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        host = urlparse(live_server.url).hostname
        browser_context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        return user

    return login
