"""The reader site checked by real tools, on a production-like server with the demo.

Chromium (Debian's, driven by Playwright), axe-core, the Nu HTML Checker and
Lighthouse. Each test is skipped, with the reason, when its tool is missing;
CI installs them all (.ci/run). Screenshots go to test-artifacts/screenshots/.
"""

import datetime
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


# A writer and an editor, as `create_staff` makes them, for the workflow journey.
ACCOUNTS = {
    "wendy": ("writer", "wendy-writes-drafts-2026"),
    "edith": ("editor", "edith-edits-and-publishes"),
}


@pytest.fixture(scope="module")
def site():
    """The demo newsroom served by gunicorn with production settings."""
    with production_server(accounts=ACCOUNTS) as base_url:
        yield base_url


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
    # axe is injected as an inline script, which the site's CSP rightly blocks.
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
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


# --- The editorial workflow, as a writer and an editor use it ---------------------


def log_in(browser, site: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(ACCOUNTS[username][1])
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    return page


def message(page) -> str:
    return " ".join(page.locator(".messagelist li").all_inner_texts())


def test_a_writer_and_an_editor_take_a_story_from_draft_to_withdrawn(browser, site):
    from playwright.sync_api import expect

    headline = "Port of Liverpool prepares for its first Chery shipments"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    writer = log_in(browser, site, "wendy")
    writer.goto(site + "/admin/articles/article/add/")
    writer.get_by_label("Headline:").fill(headline)
    writer.get_by_label("Section:").select_option(label="Business")
    writer.get_by_label("Body:").fill("The first cars arrive in spring.\n\nMore later.")
    assert writer.get_by_role("button", name="Save and publish").count() == 0
    with writer.expect_navigation():
        writer.get_by_role("button", name="Save and submit for review").click()
    assert f"In review: “{headline}”" in message(writer)
    writer.screenshot(path=SCREENSHOTS / "workflow-writer-submitted.png")

    editor = log_in(browser, site, "edith")
    editor.goto(site + "/admin/articles/article/?state=review")
    with editor.expect_navigation():
        editor.get_by_role("link", name=headline).click()
    # Scheduled ahead: the page must appear then, with no job run. The margin
    # covers saving the form on a loaded machine before the moment comes.
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=40)
    editor.locator("#id_published_at_0").fill(f"{when:%Y-%m-%d}")
    editor.locator("#id_published_at_1").fill(f"{when:%H:%M:%S}")
    editor.get_by_label("Note for the workflow record:").fill("Lead for Monday.")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save and publish").click()
    assert "scheduled for" in message(editor)

    reader = browser.new_context().new_page()
    reader.goto(site + "/business/")
    expect(reader.get_by_role("link", name=headline)).to_have_count(0)
    deadline = when + datetime.timedelta(seconds=5)
    while datetime.datetime.now(datetime.UTC) < deadline:
        reader.wait_for_timeout(500)
    reader.goto(site + "/business/")
    with reader.expect_navigation():
        reader.get_by_role("link", name=headline).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(headline)
    story_url = reader.url

    editor.goto(site + "/admin/articles/article/?state=live")
    with editor.expect_navigation():
        editor.get_by_role("link", name=headline).click()
    editor.get_by_label("Note for the workflow record:").fill("Pulled for a check.")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save and withdraw").click()
    assert f"Withdrawn: “{headline}”" in message(editor)
    # A new reader (no browser cache). Each gunicorn worker here keeps its own
    # page cache, so the other one may serve its copy for up to 60 s.
    newcomer = browser.new_context().new_page()
    deadline = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=65)
    while newcomer.goto(story_url).status != 404:
        assert datetime.datetime.now(datetime.UTC) < deadline, "still served"
        newcomer.wait_for_timeout(1000)

    editor.goto(site + "/admin/articles/article/?state=withdrawn")
    with editor.expect_navigation():
        editor.get_by_role("link", name=headline).click()
    with editor.expect_navigation():
        editor.get_by_role("link", name="History").click()
    record = editor.locator("#transition-list").inner_text()
    for step in ("Draft → In review", "In review → Published", "Published → Withdrawn"):
        assert step in record
    editor.screenshot(path=SCREENSHOTS / "workflow-history.png")


def test_no_page_breaks_the_content_security_policy(browser, site):
    """Public pages and the admin's run with no inline script or style."""
    violations = []
    page = log_in(browser, site, "edith")
    page.on(
        "console",
        lambda entry: (
            violations.append(f"{page.url}: {entry.text}")
            if "Content Security Policy" in entry.text
            else None
        ),
    )
    admin_pages = [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/1/change/",
        "/admin/articles/article/1/history/",
        "/admin/entities/entity/",
        "/admin/articles/tag/",
    ]
    for path in [*PAGE_TYPES.values(), *admin_pages]:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
    page.goto(site + "/admin/articles/article/1/change/")
    page.locator(".select2-selection").first.click()  # the tag autocomplete
    page.wait_for_timeout(500)

    assert violations == []
