from pathlib import Path

import pytest
from django.core.cache import cache

SHARED_SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
PROJECT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with no stored pages: the local-memory cache outlives tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_file() -> Path:
    """The story the product was modelled on, in the plain-text export format."""
    path = SHARED_SEED / "000_c1d292b0d1ed7ec5.txt"
    if not path.exists():
        pytest.skip(f"the shared seed story is not at {path}")
    return path


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in a temporary directory and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module."""
    from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, missing, require

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
