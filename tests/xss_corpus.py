"""Cross-site scripting payloads, a newsroom full of them, and a checker for output.

Every payload, if it ever ran, would call ``alert(1)`` (or load a script from
evil.example): the browser tests install a sentinel for that, the Python tests
look for the markup that could do it. ``poison`` writes one payload into every
field an editor can write; ``seed`` does that for the whole corpus, and is run
by the browser tests inside the production server's database.
"""

import html
import io
import re
from html.parser import HTMLParser

PAYLOADS = [
    # Script elements, in several cases and spellings.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<script\x0c>alert(1)</script>",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<x onclick=alert(1)>click me",
    # Breaking out of attributes, text areas, titles and script blocks.
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '<a href="https://x.example" title="&quot; onmouseover=alert(1) x=&quot;">t</a>',
    # javascript: and data: URLs in HTML, in every spelling.
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">'
    "click</a>",
    '<a href="&#x6A;avascript&#x3A;alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href=" \n javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    # The same in Markdown, which is what editors actually write.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![pic](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    # SVG and MathML.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<math href="javascript:alert(1)">click</math>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    # Mutation XSS: markup that re-parses differently once serialized.
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<form><math><mtext></form><form><mglyph><style></math>"
    "<img src=x onerror=alert(1)>",
    # Styles and already-escaped text that must stay text.
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<style>@import "javascript:alert(1)";</style>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    # Characters XML 1.0 forbids, which a feed must drop rather than fail on.
    "Vertical\x0btab, form\x0cfeed and \x1b escape <img src=x onerror=alert(1)>",
]

# How long each field may be: payloads are cut to fit.
LIMITS = {
    "headline": 255,
    "dek": 500,
    "hero_image_alt": 300,
    "hero_image_caption": 500,
    "hero_image_credit": 200,
    "tag": 100,
    "entity": 200,
    "author": 150,
}


def poison(payload: str, number: int, *, user) -> dict:
    """Write ``payload`` into every field an editor can write; return what was made.

    The article goes through the workflow (with the payload as each step's
    note) and has a clean first revision and a poisoned one, so its history
    and the comparison of the two show the payload as well. Entity links are
    made at once, as the linker would after the save commits.
    """
    from django.core.files.base import ContentFile

    from articles import publishing, revisions
    from articles.models import Article, Author, Byline, Correction, Section, Tag
    from entities.mentions import relink_article
    from entities.models import Entity, EntityAlias, Mention

    def cut(field: str, text: str) -> str:
        return text[: LIMITS[field]]

    section, _ = Section.objects.get_or_create(slug="world", defaults={"name": "World"})
    tag = Tag.objects.create(
        name=cut("tag", f"{payload} {number}"), slug=f"xss-{number}"
    )
    entity = Entity.objects.create(
        name=cut("entity", f"Acme {number} {payload}"),
        slug=f"xss-entity-{number}",
        kind=Entity.Kind.COMPANY,
        description=payload,
    )
    EntityAlias.objects.create(entity=entity, name=cut("entity", f"{payload} Co."))
    author = Author.objects.create(
        name=cut("author", f"Writer {number} {payload}"),
        slug=f"xss-writer-{number}",
        bio=payload,
    )
    article = Article.objects.create(
        headline=f"Clean headline {number}",
        slug=f"xss-story-{number}",
        body="A clean first version.",
        section=section,
    )
    revisions.save_revision(article, user=user, comment="First, clean version.")
    article.headline = cut("headline", f"{payload} {number} xsscanary")
    article.dek = cut("dek", payload)
    article.body = (
        f"{payload}\n\nAcme {number} {payload} is named here.\n\n"
        f"* {payload}\n\n> {payload}\n\n`{payload}`\n\n| a |\n|---|\n| {payload} |\n"
    )
    # Alt text, caption and credit are shown only with an image.
    article.hero_image = ContentFile(_small_png(), name=f"hero-{number}.png")
    article.hero_image_alt = cut("hero_image_alt", payload)
    article.hero_image_caption = cut("hero_image_caption", payload)
    article.hero_image_credit = cut("hero_image_credit", payload)
    article.save()
    article.tags.add(tag)
    Byline.objects.create(article=article, author=author, position=0)
    # The linker may have found it already, once the save committed.
    Mention.objects.update_or_create(
        article=article,
        entity=entity,
        defaults={"status": Mention.Status.CONFIRMED, "by_editor": True},
    )
    Correction.objects.create(article=article, note=payload)
    revisions.save_revision(article, user=user, comment=payload)
    publishing.transition(article, "submit", user=user, note=payload)
    publishing.transition(article, "publish", user=user, note=payload)
    relink_article(article)
    article.refresh_from_db()
    return {"article": article, "tag": tag, "entity": entity, "author": author}


def _small_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def seed(username: str) -> None:
    """Poison a newsroom with the whole corpus, one story per payload."""
    from django.contrib.auth.models import User

    user = User.objects.get(username=username)
    for number, payload in enumerate(PAYLOADS):
        poison(payload, number, user=user)


# --- Finding an executable vector in HTML ---------------------------------------

# Elements that run code, load a document, or change where the page's links go.
FORBIDDEN_ELEMENTS = {
    "applet", "base", "embed", "frame", "frameset", "iframe", "math", "object",
    "svg", "template",
}  # fmt: skip
URL_ATTRIBUTES = {
    "action", "background", "data", "formaction", "href", "poster", "src",
    "xlink:href",
}  # fmt: skip
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


def dangerous_url(value: str) -> bool:
    """Whether a browser would treat this attribute value as a script or data URL."""
    # Browsers drop tabs and newlines anywhere in a URL and spaces and control
    # characters around it; the parser has already decoded character references.
    squeezed = _IGNORED_IN_URLS.sub("", html.unescape(value)).lower()
    return squeezed.startswith(DANGEROUS_SCHEMES)


class _VectorFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script_type: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append("<meta http-equiv>")
        if tag == "script":
            source = attributes.get("src")
            if source is not None and not _same_site_path(source):
                self.found.append(f"<script src={source!r}>")
            if source is None:
                self._script_type = attributes.get("type", "")
                self._script_text = []
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event handler")
            if name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"url\(|expression|script", value, re.I):
                self.found.append(f"<{tag} style={value!r}>")

    def handle_data(self, data):
        if self._script_type is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script_type is not None:
            text = "".join(self._script_text)
            # Structured data is inert, as long as it is exactly that.
            if self._script_type != "application/ld+json" or not _is_json(text):
                self.found.append(f"inline <script>{text[:60]!r}")
            self._script_type = None


def _same_site_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _is_json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def executable_vectors(markup: str) -> list[str]:
    """Every piece of ``markup`` that could run a script in a reader's browser."""
    finder = _VectorFinder()
    finder.feed(markup)
    finder.close()
    return finder.found
