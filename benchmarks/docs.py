"""Write measured figures into docs/benchmarks.md between named markers."""

import re

from benchmarks.server import PROJECT

BENCHMARKS_DOC = PROJECT / "docs" / "benchmarks.md"


def replace_section(name: str, text: str) -> None:
    """Replace what lies between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    document = BENCHMARKS_DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(document):
        raise SystemExit(f"{BENCHMARKS_DOC}: no {start} … {end} markers to write into")
    replaced = pattern.sub(lambda _: f"{start}\n{text}\n{end}", document)
    BENCHMARKS_DOC.write_text(replaced, encoding="utf-8")
