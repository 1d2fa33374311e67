"""Walk the pages a demo login can reach, as that login, through Django's test client.

Shared by the crawl tests (dead links, untranslated text). Starts at the home page and follows every
same-site link of every HTML page it opens. Addresses that differ only in their numbers (``/org/staff/12/``
and ``/org/staff/45/``) or in the values of their query string count as one shape: each shape is
opened once per login, which bounds the walk on a company of any size, and every link is still
checked against the shape's answer.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.test import Client

# Not pages: files, the API (its own test walks the schema), logout and language (POST forms).
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/accounts/logout", "/i18n/", "/jsi18n/", "/admin/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def url_shape(url: str) -> str:
    """``/org/staff/45/?page=2&q=x`` → ``/org/staff/N/?page&q``."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$|\.)", "/N", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Visit:
    url: str
    status: int
    html: str = ""
    # pages that link here, for the failure message
    linked_from: list[str] = field(default_factory=list)


def crawl(client: Client, *, start: str = "/", limit: int = 400) -> dict[str, Visit]:
    """Open ``start`` and every page it leads to (one address per shape); shape → visit."""
    visits: dict[str, Visit] = {}
    queue: deque[tuple[str, str]] = deque([(start, "")])
    while queue and len(visits) < limit:
        url, referrer = queue.popleft()
        shape = url_shape(url)
        if shape in visits:
            if referrer and len(visits[shape].linked_from) < 3:
                visits[shape].linked_from.append(referrer)
            continue
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        html = response.content.decode("utf-8", "replace") if "text/html" in content_type else ""
        visits[shape] = Visit(url=url, status=response.status_code, html=html, linked_from=[referrer])
        if response.status_code != 200 or not html:
            continue
        for href in page_links(html):
            target = _same_site(href, base=url)
            if target and url_shape(target) not in visits:
                queue.append((target, url))
    return visits


def _same_site(href: str, *, base: str) -> str | None:
    href, _ = urldefrag(href.strip())
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None  # another site
    if href.startswith("?"):
        href = urlsplit(base).path + href
    elif not href.startswith("/"):
        return None  # relative paths are not used by the templates
    if href.startswith(SKIP_PREFIXES):
        return None
    return href


def readme_demo_logins() -> set[str]:
    """The logins of the README's demo table (rows that start with a login in backticks)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z-]+)` \|", readme, flags=re.MULTILINE))


class _Text(HTMLParser):
    """The text a reader sees: element text outside scripts, styles and code, plus the
    attributes read aloud or shown (title, placeholder, aria-label, alt, value of buttons)."""

    SKIP = {"script", "style", "code", "pre", "kbd", "samp", "template"}
    SHOWN_ATTRS = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        values = dict(attrs)
        for name in self.SHOWN_ATTRS:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


# Words that stand in Chinese pages as they are: the product's name, units and abbreviations every
# operator uses, file formats, and platform terms that have no Chinese form in use.
ALLOWED_WORDS = {
    "LiveOps",
    "GMV",
    "GPM",
    "UV",
    "PV",
    "KPI",
    "KPIs",
    "ROI",
    "SKU",
    "SPU",
    "CNY",
    "API",
    "CSV",
    "XLSX",
    "XLS",
    "JSON",
    "ID",
    "IDs",
    "KOL",
    "CTR",
    "CVR",
    "AOV",
    "CAPA",
    "QC",
    "IT",
    "HR",
    "SLA",
    "QR",
    "URL",
    "PDF",
    "SC",
    "GB",
    "FZ",
    "PNG",
    "JPG",
    "HTTP",
    "HTTPS",
    "iCalendar",
    "ics",
    "OpenAPI",
    "Bearer",
    "Token",
    "token",
    "WeChat",
    "WeCom",
    "Tmall",
    "Taobao",
    "Douyin",
    "Kuaishou",
    "Compass",
    "English",
    "TM",
    "DY",
    "KS",
    "TB",
    "AM",
    "PM",
    "ECharts",
    "htmx",
    "Python",
    "Django",
    "VS",
}


def untranslated_words(html: str, *, allowed: set[str]) -> set[str]:
    """ASCII words of three or more letters in the visible text that are not on the allow-list."""
    words = set(re.findall(r"(?<![\w@/.-])[A-Za-z][A-Za-z']{2,}(?![\w@/.-])", visible_text(html)))
    return {w for w in words if w not in allowed}
