"""Partner API requests per second against /healthz, and where a page's time goes.

    .venv/bin/python -m benchmarks.api              # updates docs/benchmarks.md
    .venv/bin/python -m benchmarks.api --no-write --seconds 3

Starts gunicorn (2 workers, production settings, the demo plus 500 synthetic
stories) on 127.0.0.1:8140 and loads it with wrk: every figure comes from the
same server in one run, the targets taking turns over several rounds; each is
the median. "Uncached" requests carry a value that is new on every request
(a ``published_before`` far in the future, or the fields of ``fields=`` in a
new order), so each one misses the API's answer cache and is computed. The
key's rate limit is raised so that the limiter counts but never refuses.

Then a profile: 30 uncached pages of 50 through Django's test client in one
process on the same database, cProfile's time grouped by where it is spent.
"""

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import urllib.request

from benchmarks import docs
from benchmarks.server import PROJECT, PYTHON, create_partner_key, production_server
from benchmarks.throughput import CONNECTIONS, ensure_wrk, requests_per_second

PORT = 8140
ROUNDS = 3
CORPUS_ARTICLES = 500
ARTICLE_FIELDS = [
    "id", "slug", "url", "headline", "dek", "summary", "body_html", "body_text",
    "section", "authors", "tags", "entities", "hero_image", "published_at",
    "updated_at", "corrections", "read_next",
]  # fmt: skip

HEADER_LUA = 'wrk.headers["Authorization"] = "Api-Key {key}"\n'
UNIQUE_BEFORE_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local stamp = string.format("2099-01-01T00:00:00.%06dZ", counter % 1000000)
  return wrk.format(nil, wrk.path .. "&published_before=" .. stamp)
end
"""
SHUFFLED_FIELDS_LUA = """
fields = {%s}
request = function()
  for i = #fields, 2, -1 do
    local j = math.random(i)
    fields[i], fields[j] = fields[j], fields[i]
  end
  return wrk.format(nil, wrk.path .. "?fields=" .. table.concat(fields, ","))
end
"""
IF_NONE_MATCH_LUA = 'wrk.headers["If-None-Match"] = {etag}\n'

PROFILE_SCRIPT = """
import cProfile, pstats, io, json
from collections import defaultdict
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
headers = {"HTTP_AUTHORIZATION": "Api-Key __KEY__"}
client.get("/api/v1/articles/?page_size=50", **headers)
profile = cProfile.Profile()
profile.enable()
for n in range(30):
    answer = client.get(
        f"/api/v1/articles/?page_size=50&published_before=2099-01-01T00:00:{n:02d}",
        **headers,
    )
    assert answer.status_code == 200, answer.content
profile.disable()
stats = pstats.Stats(profile)
total = stats.total_tt
# Cumulative time of the steps of a page, outermost first; each step's share
# excludes the steps listed after it that run inside it.
steps = [
    ("filters (django-filter)", "articles/api.py", "filter_queryset"),
    ("the page of articles (query, models)", "articles/api.py", "_keyset"),
    ("the fields, per article", "articles/api.py", "<dictcomp>"),
    ("JSON encoding", "rest_framework/renderers.py", "render"),
    ("ETag (MD5 of the body)", "~", "<built-in method _hashlib.openssl_md5>"),
    ("key check and rate limit", "rest_framework/views.py", "initial"),
]
def cumulative(filename, function):
    return sum(
        row[3]
        for (name, _line, func), row in stats.stats.items()
        if name.endswith(filename) and func == function
    )
spent = {label: cumulative(name, func) for label, name, func in steps}
spent["related rows (4 queries, tuples)"] = (
    cumulative("articles/api.py", "represent") - spent["the fields, per article"]
)
spent["request handling: middleware, DRF, Django"] = total - sum(spent.values())
print(json.dumps({"per_request_ms": total / 30 * 1000,
                  "shares": {k: max(v, 0) / total for k, v in spent.items()}}))
"""


def _lua(*parts: str) -> str:
    return "".join(parts)


def targets(key: str, slug: str, etag: str) -> dict[str, tuple[str, str]]:
    header = HEADER_LUA.format(key=key)
    fields = ", ".join(f'"{name}"' for name in ARTICLE_FIELDS)
    return {
        "/healthz": ("/healthz", ""),
        "list of 50, uncached": (
            "/api/v1/articles/?page_size=50",
            _lua(header, UNIQUE_BEFORE_LUA),
        ),
        "list of 50, from the cache": ("/api/v1/articles/?page_size=50", header),
        "detail, uncached": (
            f"/api/v1/articles/{slug}/",
            _lua(header, SHUFFLED_FIELDS_LUA % fields),
        ),
        "detail, from the cache": (f"/api/v1/articles/{slug}/", header),
        "detail, 304 Not Modified": (
            f"/api/v1/articles/{slug}/",
            _lua(header, IF_NONE_MATCH_LUA.format(etag=json.dumps(etag))),
        ),
    }


def _get(url: str, key: str) -> tuple[dict, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Api-Key {key}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer), answer.headers["ETag"]


def measure(seconds: int) -> tuple[dict[str, float], dict]:
    wrk = ensure_wrk()
    found: dict[str, object] = {}

    def setup(env: dict[str, str]) -> None:
        subprocess.run(
            [PYTHON, "manage.py", "generate_corpus", "--articles",
             str(CORPUS_ARTICLES), "--seed", "7"],
            cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600,
        )  # fmt: skip
        subprocess.run(
            [PYTHON, "manage.py", "rebuild_recommendations"],
            cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600,
        )  # fmt: skip
        found["key"] = create_partner_key(env)
        found["env"] = env

    runs: dict[str, list[float]] = {}
    with production_server(
        port=PORT,
        extra_env={"NEWSROOM_API_THROTTLE_RATE": "100000000/hour"},
        setup=setup,
    ) as base_url:
        key = found["key"]
        page, _ = _get(f"{base_url}/api/v1/articles/?page_size=50", key)
        assert len(page["results"]) == 50, "the corpus gives a full page"
        slug = page["results"][0]["slug"]
        _, etag = _get(f"{base_url}/api/v1/articles/{slug}/", key)
        plan = targets(key, slug, etag)
        for path, _lua_text in plan.values():
            for _ in range(2):  # warm both workers
                request = urllib.request.Request(
                    base_url + path, headers={"Authorization": f"Api-Key {key}"}
                )
                urllib.request.urlopen(request).read()
        runs = {name: [] for name in plan}
        for _ in range(ROUNDS):
            for name, (path, lua) in plan.items():
                expected = 304 if "304" in name else 200
                runs[name].append(
                    requests_per_second(
                        wrk, base_url + path, lua, seconds, expected_status=expected
                    )
                )
        print(json.dumps(runs), file=sys.stderr)  # kept if the profile fails
        profile = _profile(found["env"], key)
    medians = {name: statistics.median(values) for name, values in runs.items()}
    # The load on a shared machine drifts between rounds: the ratio of each
    # round (targets measured back to back) is steadier than ratio of medians.
    shares = {
        name: statistics.median(
            value / healthz
            for value, healthz in zip(values, runs["/healthz"], strict=True)
        )
        for name, values in runs.items()
    }
    return medians, shares, profile


def _profile(env: dict[str, str], key: str) -> dict:
    script = PROFILE_SCRIPT.replace("__KEY__", key)
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=PROJECT,
        env={**env, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


GOALS = {
    "list of 50, uncached": "≥ 5%",
    "detail, from the cache": "≥ 15%",
    "detail, 304 Not Modified": "≥ 50%",
}


def as_markdown(
    results: dict[str, float], shares: dict[str, float], profile: dict, seconds: int
) -> str:
    today = datetime.datetime.now(datetime.UTC).date()
    lines = [
        f"Measured {today}: gunicorn, 2 sync workers, SQLite, cache in local "
        f"memory (per worker), the demo plus {CORPUS_ARTICLES} synthetic stories; "
        f"wrk with 1 thread and {CONNECTIONS} connections, {ROUNDS} rounds of "
        f"{seconds} s per target. Requests/s: the median; share: the median of "
        "each round's ratio to that round's /healthz. Every request carries a "
        "partner key.",
        "",
        "| target | requests/s | share of /healthz | goal |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, value in results.items():
        lines.append(
            f"| {name} | {value:,.0f} | {shares[name]:.1%} | {GOALS.get(name, '')} |"
        )
    lines += [
        "",
        f"Where an uncached page of 50 spends its time (cProfile, in one process, "
        f"{profile['per_request_ms']:.1f} ms a page under the profiler):",
        "",
        "| spent in | share |",
        "| --- | ---: |",
    ]
    for group, share in sorted(profile["shares"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {group} | {share:.0%} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per target and round")
    parser.add_argument("--no-write", action="store_true", help="print only")
    arguments = parser.parse_args()
    if not 1 <= arguments.seconds <= 60:
        parser.error("--seconds must be between 1 and 60")
    results, shares, profile = measure(arguments.seconds)
    table = as_markdown(results, shares, profile, arguments.seconds)
    print(table)
    if not arguments.no_write:
        docs.replace_section("api-throughput", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
