"""Score a response's headers by the MDN HTTP Observatory's rules.

The Observatory (developer.mozilla.org/en-US/observatory/docs/tests_and_scoring)
starts every site at 100, takes penalties off, and adds bonuses only when what
is left is 90 or more; 100 and over is an A+. These are its header tests, for
one response; the redirection test needs a plain-HTTP request and lives in
the tests themselves.
"""

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

SIX_MONTHS = 15_768_000
PRIVATE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER_POLICIES = {"origin", "origin-when-cross-origin", "unsafe-url"}
# Cookies a browser sends with requests that act as the signed-in user.
SESSION_COOKIE_NAMES = re.compile(r"sess|sid|login|auth|token", re.IGNORECASE)
ANTI_CSRF_COOKIE_NAMES = re.compile(r"csrf|xsrf", re.IGNORECASE)


@dataclass
class Score:
    modifiers: dict[str, int] = field(default_factory=dict)

    @property
    def penalties(self) -> dict[str, int]:
        return {name: value for name, value in self.modifiers.items() if value < 0}

    @property
    def total(self) -> int:
        after_penalties = 100 + sum(self.penalties.values())
        if after_penalties < 90:
            return max(after_penalties, 0)
        bonuses = sum(value for value in self.modifiers.values() if value > 0)
        return after_penalties + bonuses

    @property
    def grade(self) -> str:
        grades = [
            (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"),
            (60, "C+"), (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"),
        ]  # fmt: skip
        return next((grade for floor, grade in grades if self.total >= floor), "F")


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        if words := part.split():
            directives[words[0].lower()] = words[1:]
    return directives


def content_security_policy(headers) -> tuple[str, int]:
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return "csp-not-implemented", -25
    directives = csp_directives(policy)
    if "default-src" not in directives and "script-src" not in directives:
        return "csp-header-invalid", -25
    scripts = directives.get("script-src", directives.get("default-src", []))
    styles = directives.get("style-src", directives.get("default-src", []))
    everything = " ".join(value for values in directives.values() for value in values)
    unsafe_script_sources = {"'unsafe-inline'", "data:", "*", "http:", "https:"}
    if unsafe_script_sources & set(scripts):
        return "csp-implemented-with-unsafe-inline", -20
    if "http:" in everything or re.search(r"(^|\s)http://", everything):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in everything:
        return "csp-implemented-with-unsafe-eval", -10
    if "'unsafe-inline'" in styles:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if directives.get("default-src") == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 0


def cookies(set_cookie_headers: list[str], *, hsts: bool) -> tuple[str, int]:
    jar = SimpleCookie()
    for header in set_cookie_headers:
        jar.load(header)
    if not jar:
        return "cookies-not-found", 0
    for name, morsel in jar.items():
        session = bool(SESSION_COOKIE_NAMES.search(name))
        if session and not morsel["secure"]:
            return (
                ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                if hsts
                else ("cookies-session-without-secure-flag", -40)
            )
        if session and not morsel["httponly"]:
            return "cookies-session-without-httponly-flag", -30
        if ANTI_CSRF_COOKIE_NAMES.search(name) and not morsel["samesite"]:
            return "cookies-anticsrf-without-samesite-flag", -20
        if morsel["samesite"] and morsel["samesite"].lower() not in {"strict", "lax"}:
            return "cookies-samesite-flag-invalid", -20
        if not morsel["secure"]:
            return (
                ("cookies-without-secure-flag-but-protected-by-hsts", -5)
                if hsts
                else ("cookies-without-secure-flag", -20)
            )
    if all(morsel["samesite"] for morsel in jar.values()):
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def cross_origin_resource_sharing(headers) -> tuple[str, int]:
    allowed = headers.get("Access-Control-Allow-Origin")
    if allowed is None:
        return "cross-origin-resource-sharing-not-implemented", 0
    if allowed.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def referrer_policy(headers) -> tuple[str, int]:
    value = headers.get("Referrer-Policy")
    if value is None:
        return "referrer-policy-not-implemented", 0
    # Browsers use the last policy they understand.
    policies = [item.strip().lower() for item in value.split(",") if item.strip()]
    if not policies:
        return "referrer-policy-header-invalid", -5
    if policies[-1] in UNSAFE_REFERRER_POLICIES:
        return "referrer-policy-unsafe", -5
    if policies[-1] in PRIVATE_REFERRER_POLICIES:
        return "referrer-policy-private", 5
    return "referrer-policy-no-referrer-when-downgrade", 0


def strict_transport_security(headers) -> tuple[str, int]:
    value = headers.get("Strict-Transport-Security")
    if value is None:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age\s*=\s*\"?(\d+)", value, re.IGNORECASE)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0


def subresource_integrity(headers, body: str) -> tuple[str, int]:
    if "html" not in headers.get("Content-Type", ""):
        return "sri-not-implemented-response-not-html", 0
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", body, re.IGNORECASE)
    if not sources:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    external = [src for src in sources if src.startswith(("http:", "https:", "//"))]
    if not external:
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0
    if any(src.startswith(("http:", "//")) for src in external):
        return "sri-not-implemented-and-external-scripts-not-loaded-securely", -50
    return "sri-not-implemented-but-external-scripts-loaded-securely", -5


def x_content_type_options(headers) -> tuple[str, int]:
    value = headers.get("X-Content-Type-Options")
    if value is None:
        return "x-content-type-options-not-implemented", -5
    if value.strip().lower() != "nosniff":
        return "x-content-type-options-header-invalid", -5
    return "x-content-type-options-nosniff", 0


def x_frame_options(headers) -> tuple[str, int]:
    policy = csp_directives(headers.get("Content-Security-Policy", ""))
    if policy.get("frame-ancestors") in (["'none'"], ["'self'"]):
        return "x-frame-options-implemented-via-csp", 5
    value = headers.get("X-Frame-Options")
    if value is None:
        return "x-frame-options-not-implemented", -20
    if value.strip().upper() in {"DENY", "SAMEORIGIN"}:
        return "x-frame-options-sameorigin-or-deny", 0
    return "x-frame-options-header-invalid", -20


def cross_origin_resource_policy(headers) -> tuple[str, int]:
    value = headers.get("Cross-Origin-Resource-Policy")
    if value is None:
        return "cross-origin-resource-policy-not-implemented", 0
    if value.strip().lower() in {"same-origin", "same-site", "cross-origin"}:
        return f"cross-origin-resource-policy-implemented-with-{value.strip()}", 0
    return "cross-origin-resource-policy-header-invalid", -5


def score(response) -> Score:
    """The Observatory's header tests applied to a Django test-client response."""
    headers = response.headers
    set_cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    hsts = "Strict-Transport-Security" in headers
    body = response.content.decode(errors="replace") if not response.streaming else ""
    results = [
        content_security_policy(headers),
        cookies(set_cookies, hsts=hsts),
        cross_origin_resource_sharing(headers),
        referrer_policy(headers),
        strict_transport_security(headers),
        subresource_integrity(headers, body),
        x_content_type_options(headers),
        x_frame_options(headers),
        cross_origin_resource_policy(headers),
    ]
    return Score(dict(results))
