"""A small crawler for the form tests: follow a user's links through the site with Django's test client
and collect every form with the values it renders, as a browser would submit it.

Only the standard library parses the HTML (``html.parser``), so the tests need nothing extra. A date or
datetime input keeps a value only when a browser could read it: an ``<input type=date>`` whose value is
not ``YYYY-MM-DD`` is blank in a browser, and a browser submits it blank; the parser does the same, so a
form that renders a date in a format the browser cannot read loses it on submission here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

# What a browser keeps of an input's value (HTML's value sanitization for these input types).
_BROWSER_VALUE = {
    "date": re.compile(r"^\d{4,}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "month": re.compile(r"^\d{4,}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "number": re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"),
}

# Links a crawl does not follow: downloads, exports, sign-out, the API and its docs, the admin.
_SKIP_LINK = re.compile(
    r"(^/(api|admin|static|media|accounts/logout|i18n)/)|(/(file|download|export)/?$)|(/documents/\d+/$)"
)


@dataclass
class Control:
    """One submittable control of a form: its name, type and the value(s) a browser would send."""

    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    values: list[str]
    disabled: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A ``<form>`` as rendered: where and how it is sent, and its controls."""

    page: str
    action: str
    enctype: str
    method: str = "post"
    controls: list[Control] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # submit buttons (name or "", value)

    def data(self) -> dict[str, list[str]]:
        """What a browser sends when the form is submitted unchanged (with its default button)."""
        out: dict[str, list[str]] = {}
        for c in self.controls:
            if c.disabled or not c.name or c.kind in ("file", "submit", "button", "reset", "image"):
                continue
            if c.kind in ("checkbox", "radio") and not c.values:
                continue
            out.setdefault(c.name, []).extend(c.values)
        if self.buttons and self.buttons[0][0]:  # the default button: the first in the form
            name, value = self.buttons[0]
            out.setdefault(name, []).append(value)
        return out

    def identity(self) -> str:
        """Where the form posts (IDs replaced) and, for a page posting several forms to one URL, the
        hidden ``action`` or ``op`` naming which one (``/sourcing/deals/<id>/#contract_status``)."""
        for c in self.controls:
            if c.kind == "hidden" and c.name in ("action", "op", "form") and c.values and c.values[0]:
                return f"{pattern(self.action)}#{c.values[0]}"
        return pattern(self.action)

    def visible(self) -> list[Control]:
        """The controls a user sees and can change (not hidden, not buttons)."""
        return [
            c
            for c in self.controls
            if c.kind not in ("hidden", "submit", "button", "reset", "image") and c.name and not c.disabled
        ]


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: dict | None = None
        self._textarea: Control | None = None
        self._text: list[str] = []
        self._selected: list[str] = []
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                enctype=a.get("enctype", ""),
                method=a.get("method", "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((a.get("name", ""), a.get("value", "")))
                return
            value = a.get("value", "")
            if kind in ("checkbox", "radio"):
                values = [value or "on"] if "checked" in a else []
            elif kind in _BROWSER_VALUE:
                values = [value] if _BROWSER_VALUE[kind].match(value) else [""]
            else:
                values = [value]
            self._form.controls.append(Control(a.get("name", ""), kind, values, "disabled" in a))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                self._form.buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "select":
            multiple = "multiple" in a
            self._select = Control(
                a.get("name", ""), "select-multiple" if multiple else "select", [], "disabled" in a
            )
            self._selected, self._first_option = [], None
        elif tag == "option" and self._select is not None:
            self._option = a
            self._text = []
        elif tag == "textarea":
            self._textarea = Control(a.get("name", ""), "textarea", [], "disabled" in a)
            self._text = []

    def _close_option(self):
        if self._option is None or self._select is None:
            return
        value = self._option.get("value", "".join(self._text).strip())
        self._select.options.append(value)
        if self._first_option is None and "disabled" not in self._option:
            self._first_option = value
        if "selected" in self._option:
            self._selected.append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            values = self._selected
            if self._select.kind == "select" and not values and self._first_option is not None:
                values = [self._first_option]  # a single select sends its first option by default
            self._select.values = values[-1:] if self._select.kind == "select" else values
            if self._form is not None:
                self._form.controls.append(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # HTML drops one newline right after <textarea>.
            self._textarea.values = [text[1:] if text.startswith("\n") else text]
            if self._form is not None:
                self._form.controls.append(self._textarea)
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)


def parse(page: str, html: str) -> tuple[list[Form], list[str]]:
    """The forms of a page and the site-internal paths it links to."""
    parser = _FormParser(page)
    parser.feed(html)
    links = []
    for href in parser.links:
        url = urlsplit(urljoin(page, href))
        if url.scheme not in ("", "http") or url.netloc not in ("", "testserver"):
            continue
        if not url.path.startswith("/") or _SKIP_LINK.search(url.path):
            continue
        links.append(url.path)
    return parser.forms, links


def pattern(path: str) -> str:
    """A path with its IDs and unit codes (``/org/units/EC/``) replaced, so the crawl visits each kind
    of page a few times only."""
    path = re.sub(r"/\d+(?=/|$)", "/<id>", path)
    return re.sub(r"/[A-Z][A-Z0-9-]*(?=/|$)", "/<code>", path)


def crawl(client: Client, *, start: str = "/", per_pattern: int = 2, limit: int = 400) -> dict[str, str]:
    """path → HTML of every page reachable by links from ``start`` that answers 200 with HTML (each
    kind of page at most ``per_pattern`` times)."""
    pages: dict[str, str] = {}
    seen: set[str] = {start}
    counts: dict[str, int] = {}
    queue = [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        for link in parse(path, html)[1]:
            key = pattern(link)
            if link in seen or counts.get(key, 0) >= per_pattern:
                continue
            seen.add(link)
            counts[key] = counts.get(key, 0) + 1
            queue.append(link)
    return pages
