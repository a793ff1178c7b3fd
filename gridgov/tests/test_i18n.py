"""The platform in Chinese and in English (docs/i18n.md): both message catalogues complete and
compiled, no Chinese UI text left out of them, and the main pages and API errors in English for
a user who chose English."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.base import Lexer, TokenType
from django.urls import reverse
from rest_framework.test import APIClient

from cases.inputs import ReportInput
from cases.tests.conftest import World, world  # noqa: F401 (the fixture)
from gridgov import pofiles

BASE_DIR = Path(settings.BASE_DIR)
IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
WRAPPED_LITERAL = re.compile(r"""_\((?:"[^"]*"|'[^']*')\)""")
# Chinese that is not UI text: the language's own name in the language switch.
ALLOWED_CHINESE = {"简体中文"}
# Template lines whose Chinese is not UI text (data shown as it is), as "path: text".
TEMPLATE_ALLOW_LIST: set[str] = set()


def _templates() -> list[Path]:
    found = []
    for path in sorted(BASE_DIR.glob("*/templates/**/*")):
        if path.is_file() and path.suffix in {".html", ".txt", ".js"}:
            found.append(path)
    return found


# --- the catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", pofiles.LANGUAGES)
def test_every_message_has_a_translation(language):
    """Every entry of the catalogue is translated and none is fuzzy (a fuzzy entry is a guess
    by msgmerge that nobody checked; it is not compiled)."""
    entries = pofiles.read(pofiles.po_path(language))
    assert entries and entries[0].is_header and "fuzzy" not in entries[0].flags
    problems = [
        f"{e.msgid!r}: {'fuzzy' if 'fuzzy' in e.flags else 'no translation'}"
        for e in entries[1:]
        if not e.obsolete and ("fuzzy" in e.flags or not e.translated)
    ]
    assert not problems, (
        f"{len(problems)} messages of locale/{language} need a translation "
        "(docs/i18n.md: translate them, then `make messages`):\n" + "\n".join(problems[:50])
    )


def test_chinese_catalogue_holds_the_english_sources_only():
    """zh_Hans translates the messages written in English; Chinese sources need none there."""
    entries = [e for e in pofiles.read(pofiles.po_path("zh_Hans"))[1:] if not e.obsolete]
    assert entries, "the English sources (geometry, calendar, grid changes) are translated"
    assert not [e.msgid for e in entries if e.is_chinese]
    english = {e.key() for e in pofiles.read(pofiles.po_path("en"))[1:] if not e.is_chinese}
    assert {e.key() for e in entries} == english


def _catalogue_from_po(language: str) -> dict:
    expected = {}
    for e in pofiles.read(pofiles.po_path(language))[1:]:
        if e.obsolete or "fuzzy" in e.flags or not e.translated:
            continue
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[msgid] = e.msgstr[0]
        else:
            expected.update({(msgid, n): text for n, text in e.msgstr.items()})
    return expected


@pytest.mark.parametrize("language", pofiles.LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    """The committed .mo holds exactly the .po's translations (a fresh machine runs the demo
    without gettext, so a forgotten `make messages` would ship stale text)."""
    mo_path = pofiles.po_path(language).with_suffix(".mo")
    with mo_path.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)  # the header
    expected = _catalogue_from_po(language)
    stale = sorted(str(k) for k in set(compiled) ^ set(expected))
    differing = sorted(str(k) for k in set(compiled) & set(expected) if compiled[k] != expected[k])
    assert not stale and not differing, (
        f"locale/{language} django.mo is out of date: run `make messages`\n"
        + "\n".join((stale + differing)[:20])
    )


@pytest.mark.parametrize("language", pofiles.LANGUAGES)
def test_po_file_passes_msgfmt_check(language):
    """Placeholders (%(name)s, {n}) kept in every translation, a valid header (GNU gettext)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed: the .po syntax check is skipped")
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(pofiles.po_path(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _copy_sources(target: Path) -> None:
    skip_dirs = {"node_modules", "var", "locale", "bench", "docs", "tests", "__pycache__"}
    for root, dirnames, filenames in os.walk(BASE_DIR):
        dirnames[:] = [
            d
            for d in dirnames
            if d not in skip_dirs and not d.startswith(".") and not d.endswith(".egg-info")
        ]
        for name in filenames:
            if Path(name).suffix in {".py", ".html", ".txt", ".js"}:
                source = Path(root) / name
                copy = target / source.relative_to(BASE_DIR)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)


def test_every_message_of_the_source_is_in_the_catalogues(tmp_path):
    """A message added to the code or a template since the last `make messages` fails here,
    until it is extracted and translated."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext) is not installed: the extraction check is skipped")
    _copy_sources(tmp_path)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR), "DJANGO_SETTINGS_MODULE": "gridgov.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", *pofiles.MAKEMESSAGES_ARGS],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = pofiles.read(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]
    known = {e.key() for e in pofiles.read(pofiles.po_path("en"))}
    missing = sorted(
        f"{e.msgid!r}" + (f" (context {e.msgctxt!r})" if e.msgctxt else "")
        for e in extracted
        if e.key() not in known
    )
    assert not missing, (
        f"{len(missing)} messages are not in locale/*.po: run `make messages` and translate "
        "them (docs/i18n.md):\n" + "\n".join(missing[:50])
    )


# --- templates --------------------------------------------------------------------------------


def unwrapped_chinese(text: str) -> list[tuple[int, str]]:
    """(line, text) of Chinese in a template outside {% translate %}, {% blocktranslate %},
    _("…") literals and comments."""
    found: list[tuple[int, str]] = []
    skip_until = None
    for token in Lexer(text).tokenize():
        content = token.contents
        if token.token_type == TokenType.BLOCK:
            command = content.split()[0] if content else ""
            if skip_until:
                if command == skip_until:
                    skip_until = None
                continue
            if command in {"blocktranslate", "blocktrans"}:
                skip_until = "end" + command
            elif command == "comment":
                skip_until = "endcomment"
                continue
            elif command in {"translate", "trans"}:
                continue
            if IDEOGRAPHS.search(WRAPPED_LITERAL.sub("", content)):
                found.append((token.lineno, "{% " + content + " %}"))
        elif skip_until or token.token_type == TokenType.COMMENT:
            continue
        elif token.token_type == TokenType.VAR:
            if IDEOGRAPHS.search(WRAPPED_LITERAL.sub("", content)):
                found.append((token.lineno, "{{ " + content + " }}"))
        else:
            without_comments = HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), content)
            for offset, line in enumerate(without_comments.split("\n")):
                if IDEOGRAPHS.search(line):
                    found.append((token.lineno + offset, line.strip()))
    return found


def test_the_scan_finds_unwrapped_chinese():
    template = (
        '{% load i18n %}<h1>{% translate "标题" %}</h1>\n<p>没有包起来</p>\n'
        "{# 注释 #}<!-- 注释 -->{% comment %}说明{% endcomment %}\n"
        "{% blocktranslate with n=1 %}共 {{ n }} 件{% endblocktranslate %}\n"
        '{{ value|default:"无" }}{{ value|yesno:_("是,否") }}\n'
    )
    assert unwrapped_chinese(template) == [
        (2, "<p>没有包起来</p>"),
        (5, '{{ value|default:"无" }}'),
    ]


def test_templates_have_no_unwrapped_chinese():
    """Every Chinese text of every template is translatable (or on the allow-list)."""
    problems = []
    for path in _templates():
        relative = path.relative_to(BASE_DIR)
        for line, text in unwrapped_chinese(path.read_text(encoding="utf-8")):
            if f"{relative}: {text}" not in TEMPLATE_ALLOW_LIST:
                problems.append(f"{relative}:{line}: {text}")
    assert not problems, "Chinese outside {% translate %}:\n" + "\n".join(problems)


# --- pages and API in English -----------------------------------------------------------------


def _data_texts() -> list[str]:
    """Every text stored in the database (names of places, people, departments, matters …):
    Chinese that a page may show in any language."""
    texts = set(ALLOWED_CHINESE)
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model._default_manager.values_list(*fields) if fields else []:
            texts.update(value for value in row if isinstance(value, str) and value)
    return list(texts)


def chinese_ui_text(html: str) -> list[str]:
    """The Chinese of a page that is not data from the database: untranslated UI text."""
    data = _data_texts()
    runs = dict.fromkeys(IDEOGRAPHS.findall(html))
    return [run for run in runs if not any(run in text for text in data)]


def _english_page(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Language"] == "en"
    return response.content.decode()


@pytest.mark.django_db
def test_public_home_and_login_page_in_english(client):
    home = _english_page(client, reverse("home"))
    assert "Smart Grid Service and Management Platform" in home
    assert "Grid disclosure" in home and "Report a problem" in home
    assert not chinese_ui_text(home)
    login = _english_page(client, reverse("login"))
    assert "Username" in login and "Password" in login and "Sign in" in login
    assert not chinese_ui_text(login)


def test_console_and_phone_app_in_english(client, world: World):  # noqa: F811
    """The dispatcher's console and a case, a department's inbox, the grid worker's phone app,
    the password page: every text in English except the data (place, department and matter
    names, the report's description)."""
    from cases import services

    case = services.intake(
        world.worker,
        ReportInput(
            lng=world.point[0], lat=world.point[1], matter=world.entry_code, description="路灯不亮"
        ),
    ).case
    case = services.dispatch(world.dispatcher, services.accept(world.dispatcher, case.pk).pk)
    client.force_login(world.dispatcher)
    console = _english_page(client, reverse("cases:console"))
    assert "Case queue" in console and "Jurisdiction map" in console
    assert not chinese_ui_text(console)
    detail = _english_page(client, reverse("cases:case", args=[case.pk]))
    assert "Dispatches and time limits" in detail
    assert not chinese_ui_text(detail)
    assert not chinese_ui_text(_english_page(client, reverse("password_change")))
    client.force_login(world.police_handler)
    assert not chinese_ui_text(_english_page(client, reverse("cases:inbox")))
    client.force_login(world.worker)
    phone = _english_page(client, reverse("fieldwork:home"))
    assert "Today's tasks" in phone and "Report a case" in phone
    assert not chinese_ui_text(phone)
    report = _english_page(client, reverse("fieldwork:report"))
    assert not chinese_ui_text(report)


def test_language_cookie_switches_the_public_home(client, db):
    """The language switch stores the choice (set_language): later pages follow it."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Grid disclosure" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "网格公示" in client.get(reverse("home")).content.decode()


def test_api_errors_in_the_language_asked_for(world: World):  # noqa: F811
    """A 400 from the API reads in English for an English client, Chinese by default, whatever
    language the message was written in (R24.1 clear, specific errors)."""
    api = APIClient()
    api.force_authenticate(world.worker)
    outside = {"lng": 100.0, "lat": 30.0, "matter": world.entry_code, "description": "井盖缺失"}
    english = api.post("/api/v1/cases/", outside, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.post("/api/v1/cases/", outside, format="json")
    assert english.status_code == chinese.status_code == 400
    assert english.json()["detail"].startswith("This location (100.000000, 30.000000) is in no")
    assert "不在任何网格内" in chinese.json()["detail"]
    # a message written in English in the code (regions.geometry)
    url = "/api/v1/grids/locate/?lng=east&lat=22.6"
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == "lng must be a number"
    assert api.get(url).json()["detail"] == "lng 须为数字"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_language_switch_turns_the_public_home_into_english(page, live_server):
    """A visitor whose browser asks for Chinese picks English in the switch at the top: the
    page comes back in English, and so do the pages after it."""
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="智慧网格服务管理平台")).to_be_visible()
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="Smart Grid Service and Management Platform")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Grid disclosure")).to_be_visible()
    assert "网格公示" not in page.content()
    page.goto(live_server.url + reverse("login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
