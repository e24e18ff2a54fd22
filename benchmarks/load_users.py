"""Locust users for benchmarks/load.py: readers, partners and two editors.

Not run by hand: load.py starts Locust with this file and three variables,
``NEWSROOM_LOAD_PLAN`` (the plan written by benchmarks.load_data: addresses to
request, the editors' passwords, a partner key), ``NEWSROOM_LOAD_OUT`` (a
directory for the timings and the acknowledged saves) and ``NEWSROOM_LOAD_API``
("1" to include the partner API).

Every request is timed under a name such as "page: article" or "api: list";
any answer other than the expected one is a failure, so a 500, a redirect from
a stale address or a refused API key all show in the result.
"""

import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

from tests.admin_forms import form_data

PLAN = json.loads(Path(os.environ["NEWSROOM_LOAD_PLAN"]).read_text(encoding="utf-8"))
OUT = Path(os.environ["NEWSROOM_LOAD_OUT"])
WITH_API = os.environ.get("NEWSROOM_LOAD_API") == "1"
# Readers pause between pages as people do; 10 of them at this pace ask for
# about ten pages a second. The editors read, then type, before each save.
READER_PAUSE = (0.5, 1.5)
EDITOR_PAUSE = (1.0, 3.0)
STALE_MESSAGE = "after you opened it"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

timings: list[tuple[str, float, int, str]] = []


@events.request.add_listener
def record(name, response_time, response, exception, **kwargs) -> None:
    status = getattr(response, "status_code", None) or 0
    timings.append((name, response_time, status, str(exception) if exception else ""))


@events.test_stop.add_listener
def write_timings(**kwargs) -> None:
    with open(OUT / "timings.json", "w", encoding="utf-8") as out:
        json.dump(timings, out)


def expect(response, status: int = 200) -> None:
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}, expected {status}")


class Reader(HttpUser):
    """An anonymous reader, and a partner's app when the API is included."""

    weight = 10
    wait_time = between(*READER_PAUSE)

    def get(self, path: str, name: str, **kwargs) -> None:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            expect(response)

    @task(10)
    def home(self) -> None:
        self.get("/", "page: home")

    @task(30)
    def article(self) -> None:
        self.get(random.choice(PLAN["articles"]), "page: article")

    @task(8)
    def tag(self) -> None:
        self.get(f"/tags/{random.choice(PLAN['tags'])}/", "page: tag")

    @task(8)
    def entity(self) -> None:
        self.get(f"/entities/{random.choice(PLAN['entities'])}/", "page: entity")

    @task(8)
    def search(self) -> None:
        words = random.sample(PLAN["search_words"], random.choice([1, 1, 2]))
        self.get("/search/", "page: search", params={"q": " ".join(words)})

    @task(6)
    def feed(self) -> None:
        kind = random.choice(["rss.xml", "atom.xml"])
        path = random.choice(
            [
                f"/feeds/{kind}",
                f"/feeds/sections/{random.choice(PLAN['sections'])}/{kind}",
                f"/feeds/tags/{random.choice(PLAN['tags'])}/{kind}",
            ]
        )
        self.get(path, "page: feed")

    def api(self, path: str, name: str, **kwargs) -> None:
        headers = {"Authorization": f"Api-Key {PLAN['api_key']}"}
        self.get(path, name, headers=headers, **kwargs)

    @task(8 if WITH_API else 0)
    def api_list(self) -> None:
        params = random.choice(
            [{}, {"tag": random.choice(PLAN["tags"])}, {"section": "business"}]
        )
        self.api("/api/v1/articles/", "api: list", params=params)

    @task(8 if WITH_API else 0)
    def api_detail(self) -> None:
        self.api(f"/api/v1/articles/{random.choice(PLAN['api_slugs'])}/", "api: detail")


class Editor(HttpUser):
    """An editor who opens a story in the admin, adds a sentence and saves it."""

    fixed_count = 2
    wait_time = between(*EDITOR_PAUSE)
    accounts = list(PLAN["editors"])

    def on_start(self) -> None:
        self.username, password = Editor.accounts.pop(0)
        self.saves = 0
        login = self.client.get("/admin/login/", name="admin: login form")
        token = CSRF_INPUT.search(login.text)
        with self.client.post(
            "/admin/login/?next=/admin/",
            data={
                "csrfmiddlewaretoken": token[1] if token else "",
                "username": self.username,
                "password": password,
                "next": "/admin/",
            },
            name="admin: sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expect(response, 302)

    @task
    def edit(self) -> None:
        article = random.choice(PLAN["edited_articles"])
        address = f"/admin/articles/article/{article}/change/"
        with self.client.get(
            address, name="admin: open article", catch_response=True
        ) as opened:
            expect(opened)
            if opened.status_code != 200:
                return
        data = form_data(opened.text)
        self.saves += 1
        marker = f"loadedit-{self.username}-{self.saves}-{uuid.uuid4().hex[:8]}"
        data["body"] = f"{data['body'].rstrip()}\n\nEdited under load ({marker})."
        data["_save"] = "Save"
        self.wait()  # typing
        with self.client.post(
            address,
            data=data,
            headers={"Referer": self.host + address},
            name="admin: save article",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code == 302:
                with open(OUT / "edits.jsonl", "a", encoding="utf-8") as edits:
                    edits.write(json.dumps({"article": article, "marker": marker}))
                    edits.write("\n")
                    edits.flush()
            elif saved.status_code == 200 and STALE_MESSAGE in saved.text:
                # The other editor saved first: refused, as it must be.
                with open(OUT / "refused.jsonl", "a", encoding="utf-8") as refused:
                    refused.write(json.dumps({"article": article}) + "\n")
            else:
                saved.failure(f"HTTP {saved.status_code}: the save was not taken")
