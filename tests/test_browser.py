"""The reader site checked by real tools, on a production-like server with the demo.

Chromium (Debian's, driven by Playwright), axe-core, the Nu HTML Checker and
Lighthouse. Each test is skipped, with the reason, when its tool is missing;
CI installs them all (.ci/run). Screenshots go to test-artifacts/screenshots/.
"""

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks import lighthouse
from benchmarks.server import NEV_STORY, PROJECT, production_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
NEV_HEADLINE = "Foreign Automakers Pursue Partnerships in China's NEV Sector"
PAGE_TYPES = {
    "home": "/",
    "archive": "/archive/",
    "section": "/business/",
    "tag": "/tags/international-trade/",
    "author": "/authors/mara-ellison/",
    "entity": "/entities/renault/",
    "article": NEV_STORY,
    "search": "/search/?q=renault",
    "not-found": "/no-such-section/",
    "bad-request": "/archive/?page=first",
}
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def missing(reason: str) -> None:
    """Skip for want of a tool; in CI, whose script installs them all, fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run every browser check, but {reason}")
    pytest.skip(reason)


def require(path: Path, install: str) -> None:
    if not path.exists():
        missing(f"{path} is missing: {install}")


@pytest.fixture(scope="module")
def site():
    """The demo newsroom served by gunicorn with production settings."""
    with production_server() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM, "apt-get install chromium")
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright is not installed: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def follow(page, link) -> None:
    with page.expect_navigation():
        link.click()


def test_reader_goes_from_home_to_the_story_its_tag_an_entity_and_search(page, site):
    from playwright.sync_api import expect

    page.goto(site + "/")
    follow(page, page.get_by_role("link", name=NEV_HEADLINE).first)
    expect(page.get_by_role("heading", level=1)).to_have_text(NEV_HEADLINE)
    assert page.url == site + NEV_STORY

    tags = page.get_by_role("navigation", name="Tags")
    follow(page, tags.get_by_role("link", name="Automotive Industry"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Automotive Industry")

    follow(page, page.get_by_role("link", name=NEV_HEADLINE))
    entities = page.get_by_role("region", name="In this story")
    follow(page, entities.get_by_role("link", name="Renault", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Renault")
    expect(page.get_by_role("link", name=NEV_HEADLINE)).to_be_visible()

    follow(page, page.get_by_role("link", name="Search", exact=True))
    search = page.get_by_role("search")
    search.get_by_label("Search stories").fill("NEV partnerships")
    follow(page, search.get_by_role("button", name="Search"))
    follow(page, page.get_by_role("link", name=NEV_HEADLINE))
    assert page.url == site + NEV_STORY


def tab_to(page, text: str, *, limit: int = 120) -> None:
    """Press Tab until the focused link reads ``text``; fail if focus is invisible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                return {
                    text: element.textContent.trim(),
                    outline: style.outlineStyle !== "none"
                        && parseFloat(style.outlineWidth) >= 2,
                };
            }"""
        )
        if focused["text"].lower() == text.lower():
            assert focused["outline"], f"focus on {text!r} is not visible"
            return
    pytest.fail(f"{limit} presses of Tab never reached {text!r}")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_same_journey_with_the_keyboard_alone(page, site):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, NEV_HEADLINE)
    press_enter_and_wait(page)
    assert page.url == site + NEV_STORY

    tab_to(page, "Automotive Industry")
    press_enter_and_wait(page)
    assert page.url == site + "/tags/automotive-industry/"

    tab_to(page, NEV_HEADLINE)
    press_enter_and_wait(page)
    tab_to(page, "Renault")
    press_enter_and_wait(page)
    assert page.url == site + "/entities/renault/"

    page.keyboard.press("Shift+Tab")  # back from the story list to the header
    tab_to(page, "Search")
    press_enter_and_wait(page)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-query":
            break
    page.keyboard.type("NEV partnerships")
    press_enter_and_wait(page)
    tab_to(page, NEV_HEADLINE)
    press_enter_and_wait(page)
    assert page.url == site + NEV_STORY


def sideways_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_each_page_type_fits_the_screen_and_is_photographed(browser, site, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    columns, rows = WIDTHS[width]
    context = browser.new_context(viewport={"width": columns, "height": rows})
    page = context.new_page()
    for name, path in PAGE_TYPES.items():
        page.goto(site + path)
        assert sideways_overflow(page) <= 0, f"{name} scrolls sideways at {columns}px"
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    context.close()


def test_the_narrowest_phone_needs_no_sideways_scrolling(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for name, path in PAGE_TYPES.items():
        page.goto(site + path)
        assert sideways_overflow(page) <= 0, f"{name} scrolls sideways at 320px"
    context.close()


def test_a_story_reads_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + NEV_STORY)

    assert page.get_by_role("heading", level=1).inner_text() == NEV_HEADLINE
    assert "Renault" in page.locator(".story-body").inner_text()
    context.close()


def test_dark_mode_follows_the_readers_setting(browser, site):
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(site + NEV_STORY)
        backgrounds[scheme] = page.evaluate(
            "getComputedStyle(document.body).backgroundColor"
        )
        context.close()

    assert backgrounds == {"light": "rgb(255, 255, 255)", "dark": "rgb(18, 18, 18)"}


def test_a_printed_story_is_black_on_white_without_navigation(page, site):
    page.goto(site + NEV_STORY)
    page.emulate_media(media="print", color_scheme="dark")

    for hidden in [".site-header", ".breadcrumbs", ".read-next", ".site-footer"]:
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator(".story-body").is_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations(browser, site, scheme):
    require(AXE, "run `npm ci`")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    problems = []
    for name, path in PAGE_TYPES.items():
        page.goto(site + path)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        assert results["passes"], f"axe checked nothing on {name}"
        problems += [
            f"{name}: {violation['id']} ({violation['impact']}): "
            f"{violation['nodes'][0]['target']}"
            for violation in results["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]
    context.close()
    assert problems == []


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.read().decode()
    except urllib.error.HTTPError as error:  # 404 and 400 pages are checked too
        return error.read().decode()


def test_the_nu_html_checker_finds_no_errors(site, tmp_path):
    require(VNU, "run `npm ci`")
    java = shutil.which("java")
    if java is None:
        missing("java is missing: apt-get install default-jre-headless")
    files = []
    for name, path in PAGE_TYPES.items():
        file = tmp_path / f"{name}.html"
        file.write_text(fetch(site + path), encoding="utf-8")
        files.append(str(file))

    checked = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(checked.stdout)["messages"]
    errors = [
        f"{Path(message['url']).name}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]
    assert errors == []
    assert len(files) == len(PAGE_TYPES)


@pytest.mark.parametrize("name", lighthouse.PAGES)
def test_lighthouse_scores_at_least_95_in_every_category(site, name):
    problem = lighthouse.missing_tools()
    if problem:
        missing(problem)

    scores = lighthouse.best_score(site + lighthouse.PAGES[name])

    assert scores == {category: scores[category] for category in lighthouse.CATEGORIES}
    assert min(scores.values()) >= lighthouse.MINIMUM, scores


def test_static_files_are_compressed_hashed_and_kept_for_a_year(site):
    stylesheet = re.search(
        r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', fetch(site + "/")
    )
    assert stylesheet, "the stylesheet's name should carry its hash"
    request = urllib.request.Request(
        site + stylesheet.group(1), headers={"Accept-Encoding": "gzip"}
    )

    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in answer.headers["Cache-Control"]
        assert "immutable" in answer.headers["Cache-Control"]


def test_the_production_server_sends_cacheable_pages_without_cookies(site):
    with urllib.request.urlopen(site + NEV_STORY) as first:
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"].startswith("public")
        assert first.headers.get("Set-Cookie") is None
    request = urllib.request.Request(site + NEV_STORY, headers={"If-None-Match": etag})

    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request)

    assert not_modified.value.code == 304
