"""The partner API's OpenAPI schema: valid, kept by a live server, shown in a browser.

The live checks run against gunicorn with production settings and the demo
(benchmarks/server.py), on a port of this project's API range.
"""

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from benchmarks.server import create_partner_key, production_server

API_PORT = 8121
SCHEMATHESIS_EXAMPLES = 15


def test_the_schema_is_valid_openapi(client, db):
    schema = json.loads(client.get("/api/v1/schema/").content)

    validate(schema)


def test_the_schema_documents_every_parameter_and_error(client, db):
    schema = json.loads(client.get("/api/v1/schema/").content)
    article_list = schema["paths"]["/api/v1/articles/"]["get"]
    names = {parameter["name"] for parameter in article_list["parameters"]}

    assert names == {
        "tag",
        "tag_any",
        "entity",
        "section",
        "author",
        "published_after",
        "published_before",
        "updated_since",
        "q",
        "ordering",
        "fields",
        "cursor",
        "page_size",
    }
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            codes = set(operation["responses"])
            assert {"200", "400", "401", "403", "429", "503"} <= codes, path
            assert all(
                parameter.get("description") for parameter in operation["parameters"]
            ), path


@pytest.fixture(scope="module")
def live_api():
    """gunicorn serving the demo, and a partner key for it."""
    keys = []

    def setup(env):
        keys.append(create_partner_key(env))

    with production_server(
        port=API_PORT,
        # A fuzzer is not a partner: let it past the rate limit.
        extra_env={"NEWSROOM_API_THROTTLE_RATE": "1000000/hour"},
        setup=setup,
    ) as base_url:
        yield base_url, keys[0]


def test_the_live_api_answers_within_its_schema(live_api, tmp_path):
    """A bounded schemathesis run: no server error, nothing the schema does not say."""
    base_url, key = live_api
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert schemathesis, "schemathesis is installed with the [dev] extras"
    checks = ",".join(
        [
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_headers_conformance",
            "response_schema_conformance",
        ]
    )
    result = subprocess.run(
        [
            schemathesis,
            "run",
            f"{base_url}/api/v1/schema/",
            "--url",
            base_url,
            "--header",
            f"Authorization: Api-Key {key}",
            "--checks",
            checks,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(SCHEMATHESIS_EXAMPLES),
            "--seed",
            "7",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps a cache where it runs
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_live_api_refuses_without_a_key_and_serves_with_one(live_api):
    base_url, key = live_api
    request = urllib.request.Request(
        f"{base_url}/api/v1/articles/?entity=renault&fields=slug,entities",
        headers={"Authorization": f"Api-Key {key}"},
    )
    with urllib.request.urlopen(request) as answer:
        body = json.load(answer)

    assert body["results"]
    assert all(
        any(entity["slug"] == "renault" for entity in article["entities"])
        for article in body["results"]
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base_url}/api/v1/articles/")
    assert refused.value.code == 401


@pytest.mark.browser
def test_the_docs_page_renders_under_the_csp(live_api, browser):
    """Swagger UI boots from static files, with no Content-Security-Policy report."""
    base_url, _key = live_api
    violations = []
    page = browser.new_page()
    page.on(
        "console",
        lambda entry: (
            violations.append(entry.text)
            if "Content Security Policy" in entry.text
            else None
        ),
    )
    page.goto(f"{base_url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    title = page.locator(".title").first.inner_text()
    page.close()

    assert violations == []
    assert "/api/v1/articles/" in paths
    assert "partner API" in title
