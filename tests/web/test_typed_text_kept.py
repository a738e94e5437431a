"""What a person typed comes back exactly as typed when a form is shown again with mistakes,
even where a page indents the field's markup (`| indent(n)`)."""

from html.parser import HTMLParser

from tests.web.conftest import hidden_field


class _Textareas(HTMLParser):
    """Reads each textarea's value as a browser would (character references resolved)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self._current = dict(attrs)["name"]
            self.values[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._current = None

    def handle_data(self, data):
        if self._current:
            self.values[self._current] += data


def test_a_multi_line_description_comes_back_line_for_line(signed_in):
    client, _ = signed_in
    token = hidden_field(client.get("/").text, "csrf_token")
    typed = "Ran a taster session\n  - indented note\nLast line <b>not bold</b> & done"
    wrong = client.post("/contributions", data={"kind": "event", "description": typed.replace("\n", "\r\n"),
                                                "date": "", "csrf_token": token})
    assert wrong.status_code == 422
    parser = _Textareas()
    parser.feed(wrong.text)
    assert parser.values["description"] == typed
    assert "<b>not bold</b>" not in wrong.text  # still escaped
