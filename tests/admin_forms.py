"""Read an admin form as a browser would, so tests submit what a person submits."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_multiple = False

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(name, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in attrs
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that follows <textarea>.
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str = "article_form") -> dict[str, object]:
    """What a browser would submit from the form, as the test client takes it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {
        name: values if len(values) > 1 or name == "tags" else values[0]
        for name, values in reader.data.items()
    }
