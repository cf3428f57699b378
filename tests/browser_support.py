"""What the browser tests share: Debian's Chromium through Playwright, uvicorn on a free
loopback port, a page that notes what went wrong on it, the login form, screenshots.

A missing Chromium skips the test on a developer's machine and fails it when CI is set
(tests.conftest.missing): CI must exercise the real browser.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from recoup.services.book import Book
from tests.conftest import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the flags some tests were written with: the same, the GPU left as Chromium sets it
GPU_ARGS = [arg for arg in CHROMIUM_ARGS if arg != "--disable-gpu"]
SHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass
class Served:
    """A server a test drives: its base URL and the book behind it."""

    url: str
    book: Book


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI, book: Book | None = None) -> Iterator[str]:
    """uvicorn in a background thread on a free loopback port, serving `app`: its base
    URL. Stopped afterwards, and then `book` (when given) closed."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        if book is not None:
            book.close()


@contextmanager
def chromium(args: list[str] = CHROMIUM_ARGS) -> Iterator[Browser]:
    """Chromium, launched with `args`; missing, a skip (a failure when CI is set)."""
    if not CHROMIUM.exists():
        missing("Chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield b
        finally:
            b.close()


def browser_fixture(
    args: list[str] = CHROMIUM_ARGS, scope: Literal["module", "function"] = "module"
) -> Any:
    """A `browser` fixture (`browser = browser_fixture()` in a test module): Chromium
    for the module's tests, or for each test with `scope="function"`."""

    @pytest.fixture(scope=scope, name="browser")
    def browser() -> Iterator[Browser]:
        with chromium(args) as b:
            yield b

    return browser


def console_fixture() -> Any:
    """A `console` fixture: the list the `page` fixture writes what went wrong into."""

    @pytest.fixture(name="console")
    def console() -> list[str]:
        """Errors the page reported (JavaScript errors, refused resources, CSP
        violations)."""
        return []

    return console


def page_fixture(locale: str, failed_from: int | None = None) -> Any:
    """A `page` fixture: a desktop page in `locale` (the browser's Accept-Language),
    in a context of its own, noting its problems (see new_page) in the `console`
    fixture's list."""

    @pytest.fixture(name="page")
    def page(browser: Browser, console: list[str]) -> Iterator[Page]:
        pg = new_page(browser, console, locale=locale, failed_from=failed_from)
        yield pg
        pg.context.close()

    return page


def new_page(
    browser: Browser,
    problems: list[str] | None = None,
    *,
    locale: str | None = "en-US",
    viewport: ViewportSize = DESKTOP,
    console: bool = True,
    failed_from: int | None = None,
    allowed: int | None = None,
) -> Page:
    """A page in a browser context of its own (`pg.context.close()` ends both).

    With `problems`, what goes wrong is noted there: errors on the console (unless
    `console` is False), uncaught exceptions, and with `failed_from` every response of
    that status or above. A status `allowed` (one a test causes on purpose) is noted
    neither as a response nor as Chromium's console message about it. `locale` None
    leaves Chromium's own."""
    pg = browser.new_context(viewport=viewport, locale=locale).new_page()
    if problems is None:
        return pg
    noted = problems
    quiet = f"status of {allowed}" if allowed is not None else None
    if console:
        pg.on(
            "console",
            lambda m: (
                noted.append(m.text)
                if m.type == "error" and (quiet is None or quiet not in m.text)
                else None
            ),
        )
    pg.on("pageerror", lambda e: noted.append(str(e)))
    if failed_from is not None:
        least = failed_from
        pg.on(
            "response",
            lambda r: (
                noted.append(f"{r.status} {r.url}")
                if r.status >= least and r.status != allowed
                else None
            ),
        )
    return pg


def fill_login(pg: Page, who: tuple[str, str]) -> None:
    """Fill the login form on `pg` with `who` (name, password) and send it."""
    pg.get_by_label("Username").fill(who[0])
    pg.get_by_label("Password").fill(who[1])
    pg.get_by_role("button", name="Log in").click()


def log_in(pg: Page, base: str, who: tuple[str, str], start: str = "/login") -> None:
    """Open `start` (the login form, or a page that sends there), log in as `who`, and
    wait for the dashboard."""
    pg.goto(base + start)
    fill_login(pg, who)
    expect(pg).to_have_url(base + "/")


def shot(pg: Page, name: str) -> None:
    """A full-page screenshot, tests/screenshots/<name>.png, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
