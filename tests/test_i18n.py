"""Chinese first: the zh_Hans catalogue is complete, compiled, covers every string in the source,
and the pages and the API speak the user's language."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from liveops.core.models import UserPreference

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- a minimal .po reader (no third-party dependency) ---------------------------------------------


def _unquote(s: str) -> str:
    return ast.literal_eval(s) if s.startswith('"') else s


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file (obsolete ``#~`` entries skipped) as dicts with msgctxt, msgid,
    msgid_plural, msgstr (list: one item, or one per plural form) and flags."""
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": []}
        field = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#") or not line:
                continue
            elif m := re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line):
                key, value = m.group(1), _unquote(m.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                    field = len(entry["msgstr"]) - 1
                else:
                    entry[key] = value
                    field = key
            elif line.startswith('"') and field is not None:
                if isinstance(field, int):
                    entry["msgstr"][field] += _unquote(line)
                else:
                    entry[field] += _unquote(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def header(entries: list[dict]) -> tuple[dict, set]:
    head = next(e for e in entries if e["msgid"] == "" and not e["msgctxt"])
    fields = dict(line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line)
    return fields, head["flags"]


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != "" or e["msgctxt"]]


def untranslated_or_fuzzy(entries: list[dict]) -> list[str]:
    return [e["msgid"] for e in messages(entries) if "fuzzy" in e["flags"] or not all(e["msgstr"])]


@pytest.fixture(scope="module")
def po_entries():
    assert PO.exists(), f"{PO} is missing: run manage.py makemessages -l zh_Hans"
    return read_po(PO)


# --- (a) the catalogue is complete and well-formed -------------------------------------------------


def test_po_has_no_untranslated_or_fuzzy_entries(po_entries):
    assert messages(po_entries), "the catalogue is empty"
    missing = untranslated_or_fuzzy(po_entries)
    assert not missing, f"untranslated or fuzzy msgids: {missing}"
    if shutil.which("msgfmt"):
        done = subprocess.run(
            ["msgfmt", "--statistics", "-c", "-o", os.devnull, str(PO)],
            capture_output=True,
            text=True,
            env={**os.environ, "LC_ALL": "C"},
        )
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(r"\d+ translated messages?\.", done.stderr.strip()), done.stderr


def test_po_header_is_chinese_with_one_plural_form(po_entries):
    fields, flags = header(po_entries)
    assert "fuzzy" not in flags
    assert fields.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    for e in messages(po_entries):
        if e["msgid_plural"]:
            assert len(e["msgstr"]) == 1, f"Chinese has one plural form: {e['msgid']!r}"


def test_translations_keep_placeholders_and_are_chinese(po_entries):
    # Brand names and codes may stay as they are; everything else must contain Chinese.
    keep_latin = {"LiveOps", "SKU", "SKUs", "ID"}
    for e in messages(po_entries):
        for source in filter(None, (e["msgid"], e["msgid_plural"])):
            for target in e["msgstr"]:
                assert sorted(PLACEHOLDER.findall(target)) == sorted(PLACEHOLDER.findall(source)), (
                    source,
                    target,
                )
                assert "<" not in source or re.findall(r"</?\w+", target) == re.findall(r"</?\w+", source), (
                    source,
                    target,
                )
        if e["msgid"] not in keep_latin:
            assert all(CJK.search(t) for t in e["msgstr"]), f"not Chinese: {e['msgid']!r} → {e['msgstr']}"


def test_compiled_catalogue_is_current(po_entries):
    """The .mo (not in git; scripts/setup runs compilemessages) holds exactly the .po's translations."""
    assert MO.exists(), "run: manage.py compilemessages --ignore=.venv --ignore=node_modules"
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in messages(po_entries):
        if e["msgid_plural"]:
            got = (
                mo.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], 1)
                if e["msgctxt"]
                else mo.ngettext(e["msgid"], e["msgid_plural"], 1)
            )
        else:
            got = mo.pgettext(e["msgctxt"], e["msgid"]) if e["msgctxt"] else mo.gettext(e["msgid"])
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, f"the .mo is out of date (run compilemessages): {stale[:10]}"


# --- (b) every string of the source is in the catalogue --------------------------------------------

MAKEMESSAGES_IGNORES = [".venv", "node_modules", "tests", "bench"]


def test_every_source_msgid_is_translated(tmp_path):
    """Run the real makemessages on a copy of the source and its catalogue: nothing may come out new
    (untranslated) or fuzzy. Falls back to a regex scan of simple literals when xgettext is missing."""
    if not shutil.which("xgettext"):
        return _regex_scan_fallback()
    before = PO.read_bytes()
    work = tmp_path / "src"
    work.mkdir()
    shutil.copytree(
        ROOT / "liveops", work / "liveops", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static")
    )
    shutil.copy2(ROOT / "manage.py", work / "manage.py")
    (work / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy2(PO, work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    env = {
        **os.environ,
        "PYTHONPATH": str(work),
        "LIVEOPS_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "liveops.settings",
    }
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"]
    cmd += [f"--ignore={d}" for d in MAKEMESSAGES_IGNORES]
    done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert PO.read_bytes() == before, "makemessages must not touch the project's catalogue"
    fresh = read_po(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    new = untranslated_or_fuzzy(fresh)
    assert not new, f"strings in the source not (or only fuzzily) translated in {PO.relative_to(ROOT)}: {new}"


_PY_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]"""
)
_TPL_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<s>.*?)(?P=q)""")
_TPL_FILTER = re.compile(r"""_\((?P<q>["'])(?P<s>.*?)(?P=q)\)""")


def _regex_scan_fallback():
    known = {e["msgid"] for e in messages(read_po(PO))}
    absent = []
    for path in (ROOT / "liveops").rglob("*"):
        if path.suffix == ".py" and "migrations" not in path.parts:
            for m in _PY_CALL.finditer(path.read_text(encoding="utf-8")):
                s = ast.literal_eval(m.group("q") + m.group("s") + m.group("q"))
                if s not in known:
                    absent.append(f"{path.relative_to(ROOT)}: {s!r}")
        elif path.suffix in (".html", ".txt"):
            text = path.read_text(encoding="utf-8")
            for m in (*_TPL_TAG.finditer(text), *_TPL_FILTER.finditer(text)):
                if m.group("s") not in known:
                    absent.append(f"{path.relative_to(ROOT)}: {m.group('s')!r}")
    assert not absent, f"not in the catalogue (run makemessages and translate): {absent}"


# --- (c) pages follow the user's saved language; the switch saves it --------------------------------


def _zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_home_page_in_the_users_language(client_for, personas):
    assert _zh("Log out") == "退出登录"
    UserPreference.objects.update_or_create(user=personas["member"], defaults={"language": "en"})
    UserPreference.objects.update_or_create(user=personas["manager"], defaults={"language": "zh-hans"})

    english = client_for("member").get(reverse("home"))
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    html = english.content.decode()
    assert "Log out" in html and "退出登录" not in html
    assert '<html lang="en">' in html

    chinese = client_for("manager").get(reverse("home"))
    assert chinese.status_code == 200
    assert chinese["Content-Language"] == "zh-hans"
    html = chinese.content.decode()
    assert "退出登录" in html and "Log out" not in html
    assert _zh("Home") in html


def test_chinese_is_the_default_without_a_preference(client_for, personas):
    assert not UserPreference.objects.filter(user=personas["gm"]).exists()
    html = client_for("gm").get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "退出登录" in html and "Log out" not in html
    login = client_for(None).get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _zh("Log in to LiveOps") in login


def test_set_language_switches_and_persists(client_for, personas):
    c = client_for("member")
    assert "退出登录" in c.get(reverse("home")).content.decode()

    r = c.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert UserPreference.objects.get(user=personas["member"]).language == "en"
    html = c.get(reverse("home")).content.decode()
    assert "Log out" in html and "退出登录" not in html
    # Saved on the user, not only in this browser: a fresh session is English too.
    assert "Log out" in client_for("member").get(reverse("home")).content.decode()

    c.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert UserPreference.objects.get(user=personas["member"]).language == "zh-hans"
    assert "退出登录" in client_for("member").get(reverse("home")).content.decode()

    # An unknown language changes nothing; an off-site "next" is not followed.
    r = c.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert UserPreference.objects.get(user=personas["member"]).language == "zh-hans"


# --- (d) API errors follow Accept-Language -----------------------------------------------------------


@pytest.mark.parametrize("accept", ["zh-hans", "zh-CN,zh;q=0.9", "en"])
def test_api_errors_follow_accept_language(client_for, accept):
    c = client_for("hr")
    r = c.post(
        "/api/v1/org/staff/",
        {"employee_no": "", "name": "", "phone": "123"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=accept,
    )
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "invalid"
    assert body["fields"], body
    field_messages = [m for msgs in body["fields"].values() for m in msgs]
    if accept.startswith("zh"):
        assert r["Content-Language"] == "zh-hans"
        assert body["message"] == _zh("Some values are not valid.")
        assert CJK.search(body["message"])
        assert all(CJK.search(m) for m in field_messages), field_messages
    else:
        assert r["Content-Language"] == "en"
        assert body["message"] == "Some values are not valid."
        assert not any(CJK.search(m) for m in field_messages), field_messages


def test_amounts_grouped_by_thousands_in_chinese():
    # Finance staff read 9,440,000.00, not 9440000.00 (Django's zh-Hans default has no separator).
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("zh-hans"):
        assert Template('{{ x|floatformat:"2g" }}').render(Context({"x": 9440000.5})) == "9,440,000.50"
