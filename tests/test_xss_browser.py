"""Chromium loads every page showing the XSS corpus, and nothing runs.

The production server is seeded with tests/xss_corpus.py: one story per
payload, with the payload in every field an editor can write. A sentinel
records any dialog, any request to another host and any Content Security
Policy violation. Pages are loaded once with the site's CSP switched off in
the browser (so it is the escaping and sanitizing that is tested, not CSP
catching what slipped through) and once with it on, where not even a blocked
attempt may show.
"""

import re
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from benchmarks.server import manage, production_server
from tests.test_browser import ACCOUNTS
from tests.xss_corpus import PAYLOADS

pytestmark = pytest.mark.browser

ATOM_HTML = re.compile(r"\{http://www\.w3\.org/2005/Atom\}(summary|content)")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture(scope="module")
def poisoned_site():
    """The demo newsroom plus one poisoned story per payload, served by gunicorn."""
    seed = "from tests.xss_corpus import seed; seed('edith')"
    with production_server(
        accounts=ACCOUNTS,
        setup=lambda env: manage(env, "shell", "--no-imports", "-c", seed),
    ) as base_url:
        yield base_url


class Sentinel:
    """Watches a browser context for anything a payload could do."""

    def __init__(self, context, site: str) -> None:
        self.site = site
        self.events: list[str] = []
        context.on("page", self._watch)
        self.page = context.new_page()

    def _watch(self, page) -> None:
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.events.append(f"{dialog.page.url}: dialog {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.events.append(f"{self.page.url}: {message.text}")

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith((self.site, "data:", "about:")):
            self.events.append(f"{self.page.url}: request to {url}")

    def visit(self, url: str) -> None:
        # goto waits for the load event, after every image has loaded or
        # failed; a moment more lets autofocus and timers fire.
        self.page.goto(url)
        self.page.wait_for_timeout(100)


def log_in(sentinel: Sentinel, site: str) -> None:
    page = sentinel.page
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill(ACCOUNTS["edith"][1])
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def story_urls(site: str) -> list[dict[str, str]]:
    """Each poisoned story's pages, read from the site's own feed of each tag."""
    urls = []
    for number in range(len(PAYLOADS)):
        with urllib.request.urlopen(f"{site}/feeds/tags/xss-{number}/rss.xml") as feed:
            link = ET.fromstring(feed.read()).find("channel/item/link").text
        urls.append(
            {
                "article": link,
                "tag": f"{site}/tags/xss-{number}/",
                "entity": f"{site}/entities/xss-entity-{number}/",
                "author": f"{site}/authors/xss-writer-{number}/",
            }
        )
    return urls


LIST_PAGES = [
    "/",
    "/archive/",
    "/archive/?page=2",
    "/world/",
    "/search/?q=xsscanary",
    "/search/?q=xsscanary&page=2",
    "/search/?q=acme",
]


@pytest.mark.parametrize("csp", ["csp off", "csp on"])
def test_no_payload_runs_on_any_public_page(browser, poisoned_site, csp):
    context = browser.new_context(bypass_csp=csp == "csp off")
    sentinel = Sentinel(context, poisoned_site)
    pages = [poisoned_site + path for path in LIST_PAGES]
    for story in story_urls(poisoned_site):
        pages += story.values()

    for url in pages:
        sentinel.visit(url)
    context.close()

    assert sentinel.events == []
    assert len(pages) == len(LIST_PAGES) + 4 * len(PAYLOADS)


def test_no_payload_runs_in_a_feed_reader_that_shows_the_html(browser, poisoned_site):
    """Feed readers render descriptions and content as HTML, often unsandboxed."""
    context = browser.new_context()
    sentinel = Sentinel(context, poisoned_site)
    fragments = []
    for feed in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/sections/world/rss.xml"):
        with urllib.request.urlopen(poisoned_site + feed) as answer:
            root = ET.fromstring(answer.read())
        for element in root.iter():
            if element.tag in ("description", CONTENT) or ATOM_HTML.fullmatch(
                element.tag
            ):
                fragments.append(element.text or "")

    for fragment in fragments:
        sentinel.page.set_content(f"<!doctype html><body>{fragment}</body>")
        sentinel.page.wait_for_timeout(20)
    context.close()

    assert sentinel.events == []
    assert len(fragments) > 60


@pytest.mark.parametrize("csp", ["csp off", "csp on"])
def test_no_payload_runs_in_the_admin(browser, poisoned_site, csp):
    context = browser.new_context(bypass_csp=csp == "csp off")
    sentinel = Sentinel(context, poisoned_site)
    log_in(sentinel, poisoned_site)
    admin = poisoned_site + "/admin/"
    pages = [
        admin + "articles/article/",
        admin + "articles/article/?q=xsscanary",
        admin + "articles/article/?q=xsscanary&p=2",
        admin + "articles/tag/",
        admin + "entities/entity/",
        admin + "articles/author/",
    ]
    page = sentinel.page
    ids = []
    for number in (1, 2):  # fifty to a page
        page.goto(admin + f"articles/article/?q=xsscanary&p={number}")
        ids += page.eval_on_selector_all(
            "#result_list tbody th a",
            "links => links.map(a => a.pathname.split('/')[4])",
        )
    assert len(ids) == len(PAYLOADS)
    for article in ids:
        history = f"{admin}articles/article/{article}/history/"
        pages += [f"{admin}articles/article/{article}/change/", history]
        page.goto(history)
        versions = page.eval_on_selector_all(
            "input[name='from'], input[name='to']", "inputs => inputs.map(i => i.value)"
        )
        if len(set(versions)) >= 2:
            # The clean first version against the newest, poisoned one.
            older, newer = min(versions, key=int), max(versions, key=int)
            pages.append(f"{history}compare/?from={older}&to={newer}")

    for url in pages:
        sentinel.visit(url)
    context.close()

    assert sentinel.events == []
    assert sum("compare" in url for url in pages) == len(PAYLOADS)


def test_the_sentinel_sees_a_payload_that_runs(browser):
    context = browser.new_context()
    sentinel = Sentinel(context, "http://127.0.0.1")

    sentinel.page.set_content(
        '<img src="data:," onerror="alert(1)">'
        '<script src="https://evil.example/x.js"></script>'
    )
    sentinel.page.wait_for_timeout(200)
    context.close()

    assert any("dialog '1'" in event for event in sentinel.events)
    assert any("evil.example" in event for event in sentinel.events)
