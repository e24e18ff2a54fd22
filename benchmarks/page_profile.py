"""Where an uncached page's time goes: total, queries, and the slowest three.

    cp .cache/load/corpus-100000.sqlite3 /tmp/corpus.sqlite3
    export DATABASE_URL=sqlite:////tmp/corpus.sqlite3 DJANGO_DEBUG=1 \\
        DJANGO_ALLOWED_HOSTS=testserver DJANGO_LOG_LEVEL=ERROR
    .venv/bin/python manage.py migrate
    .venv/bin/python -m benchmarks.page_profile / /tags/international-trade/

Renders each page twice through Django's test client with the cache emptied
first (so the second render is warm but uncached) and prints the second.
"""

import os
import sys
import time


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for path in sys.argv[1:] or ["/"]:
        for _ in range(2):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                total = (time.perf_counter() - started) * 1000
        queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        sql_ms = sum(float(query["time"]) for query in queries) * 1000
        print(
            f"{path}: {response.status_code}, {total:.0f} ms, "
            f"{len(queries)} queries taking {sql_ms:.0f} ms"
        )
        for query in queries[:3]:
            print(f"   {float(query['time']) * 1000:.0f} ms  {query['sql'][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
