"""Requests per second for /healthz and an article page, cached and uncached.

    .venv/bin/python -m benchmarks.throughput        # updates docs/benchmarks.md
    .venv/bin/python -m benchmarks.throughput --redis redis://127.0.0.1:6379/4
    .venv/bin/python -m benchmarks.throughput --no-write --seconds 3 --port 8300

Starts gunicorn (2 workers, production settings, the demo) on 127.0.0.1 and a
free port, and loads it with wrk (installed from Debian's packages if absent,
when running as root). Every figure comes from the same server in one run, the
three targets taking turns over several rounds; each figure is the median.
"Uncached" adds a query string that is new on every request, so each request
misses the page cache and renders the page (and stores it) as a first visitor
after a change would. Only 200 answers count: a run with any other status (a
redirect or a 304 would be cheaper than a page) stops with an error.
"""

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request

from benchmarks import docs
from benchmarks.server import NEV_STORY, production_server

CONNECTIONS = 4
ROUNDS = 3
# wrk itself only reports statuses outside 2xx and 3xx: count all but 200.
COUNT_UNEXPECTED_LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
unexpected = 0
response = function(status, headers, body)
  if status ~= %d then unexpected = unexpected + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("Unexpected responses: %%d\\n", total))
end
"""
# wrk sends each request to a new address: a counter in the query string.
UNIQUE_QUERY_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?visit=" .. counter)
end
"""
TARGETS = {
    "/healthz": ("/healthz", ""),
    "article, from the cache": (NEV_STORY, ""),
    "article, uncached": (NEV_STORY, UNIQUE_QUERY_LUA),
}


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk did not install")


def requests_per_second(
    wrk: str, url: str, lua: str, seconds: int, *, expected_status: int = 200
) -> float:
    """Requests/s with wrk; any answer but ``expected_status`` stops the run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua + COUNT_UNEXPECTED_LUA % expected_status)
        script.flush()
        command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", script.name]
        output = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    unexpected = re.search(r"Unexpected responses: (\d+)", output)
    if unexpected is None or int(unexpected.group(1)):
        found = unexpected.group(1) if unexpected else "uncounted"
        raise SystemExit(
            f"{url}: {found} answers other than {expected_status}\n{output}"
        )
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def measure(seconds: int, redis_url: str, port: int | None) -> dict[str, float]:
    wrk = ensure_wrk()
    runs: dict[str, list[float]] = {name: [] for name in TARGETS}
    with production_server(redis_url=redis_url, port=port) as base_url:
        for path, _lua in TARGETS.values():
            urllib.request.urlopen(base_url + path).read()  # warm both workers' caches
        for _ in range(ROUNDS):
            for name, (path, lua) in TARGETS.items():
                runs[name].append(
                    requests_per_second(wrk, base_url + path, lua, seconds)
                )
    return {name: statistics.median(values) for name, values in runs.items()}


def as_markdown(results: dict[str, float], redis_url: str, seconds: int) -> str:
    healthz = results["/healthz"]
    cache = "Redis" if redis_url else "local memory (per worker)"
    today = datetime.datetime.now(datetime.UTC).date()
    lines = [
        f"Measured {today}: gunicorn, 2 sync workers, "
        f"SQLite, page cache in {cache}; wrk with 1 thread and {CONNECTIONS} "
        f"connections, {ROUNDS} rounds of {seconds} s per target, median.",
        "",
        "| target | requests/s | share of /healthz | goal |",
        "| --- | ---: | ---: | --- |",
    ]
    goals = {"/healthz": "", "article, from the cache": "≥ 80%"}
    for name, value in results.items():
        goal = goals.get(name, "≥ 20%")
        lines.append(f"| {name} | {value:,.0f} | {value / healthz:.0%} | {goal} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per target and round")
    parser.add_argument("--redis", default="", metavar="URL", help="cache in Redis")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--port", type=int, help="serve on this port (default: free)")
    arguments = parser.parse_args()
    if not 1 <= arguments.seconds <= 60:
        parser.error("--seconds must be between 1 and 60")
    if arguments.port is not None and not 1024 <= arguments.port <= 65535:
        parser.error("--port must be between 1024 and 65535")
    results = measure(arguments.seconds, arguments.redis, arguments.port)
    table = as_markdown(results, arguments.redis, arguments.seconds)
    print(table)
    if not arguments.no_write:
        section = "throughput-redis" if arguments.redis else "throughput"
        docs.replace_section(section, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
