"""The project's message catalogues (``locale/<lang>/LC_MESSAGES/django.po``), read and tidied
without third-party code. See ``docs/i18n.md``.

Source strings are Simplified Chinese, except a few technical messages written in English
(geometry, calendar, grid changes). So:

- ``en`` translates every message: Chinese sources into English, English sources into
  themselves (filled in here, so that the catalogue is complete);
- ``zh_Hans`` holds only the English sources (translated into Chinese): a Chinese source needs
  no translation in the default language, and :func:`tidy` drops the entries
  ``makemessages`` adds for them.

``python -m gridgov.pofiles messages`` (``make messages``) extracts (``makemessages``), tidies
and compiles (``compilemessages``); it needs GNU gettext.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "zh_Hans")
# Ideographs (CJK unified, extension A, compatibility), CJK punctuation (、。「」) and
# full-width forms (,:()): a message with any of them is written in Chinese.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# What ``makemessages`` reads: templates (and the service worker, a template) and Python; not
# tests, benchmarks, installed packages or build output.
MAKEMESSAGES_ARGS = [
    "--extension=html,txt,py,js",
    "--add-location=file",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=var",
    "--ignore=*/tests/*",
    "--ignore=bench",
    "--ignore=docs",
]
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def po_path(language: str, domain: str = "django") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@dataclass
class Entry:
    """One message of a .po file; ``lines`` are its lines as written (comments included)."""

    lines: list[str]
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_chinese(self) -> bool:
        return bool(CJK.search(self.msgid))

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _parse_block(lines: list[str]) -> Entry:
    entry = Entry(lines=lines)
    current: str | None = None
    parts: dict[str, list[str]] = {}
    for raw in lines:
        line = raw
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
        if line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#") or not line.strip():
            continue
        match = _KEYWORD.match(line)
        if match:
            current = match.group(1)
            parts[current] = [_unquote(match.group(2))]
        elif line.strip().startswith('"') and current:
            parts[current].append(_unquote(line))
    for keyword, chunks in parts.items():
        text = "".join(chunks)
        if keyword == "msgctxt":
            entry.msgctxt = text
        elif keyword == "msgid":
            entry.msgid = text
        elif keyword == "msgid_plural":
            entry.msgid_plural = text
        elif keyword == "msgstr":
            entry.msgstr[0] = text
        else:
            entry.msgstr[int(keyword[7:-1])] = text
    return entry


def parse(text: str) -> list[Entry]:
    """The entries of a .po file, in order (blank lines separate entries)."""
    entries, block = [], []
    for line in text.splitlines():
        if line.strip():
            block.append(line)
        elif block:
            entries.append(_parse_block(block))
            block = []
    if block:
        entries.append(_parse_block(block))
    return entries


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))


def _write(path: Path, entries: list[Entry]) -> None:
    path.write_text("\n\n".join("\n".join(e.lines) for e in entries) + "\n", encoding="utf-8")


def _with_identity(entry: Entry) -> Entry:
    """An English source translated into English: the msgstr lines say the msgid again."""
    kept, in_msgstr = [], False
    for line in entry.lines:
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if not in_msgstr:
            kept.append(line)
    if entry.msgid_plural is None:
        kept.append("msgstr " + _quote(entry.msgid))
    else:
        kept += ["msgstr[0] " + _quote(entry.msgid), "msgstr[1] " + _quote(entry.msgid_plural)]
    return _parse_block(kept)


def _without_creation_date(entry: Entry) -> Entry:
    """The header without POT-Creation-Date: every extraction would change it, and nothing
    reads it."""
    if not entry.is_header:
        return entry
    entry.lines = [line for line in entry.lines if not line.startswith('"POT-Creation-Date:')]
    return entry


def tidy(locale_dir: Path = LOCALE_DIR) -> dict[str, int]:
    """After ``makemessages``: zh_Hans keeps only English sources; en translates English
    sources into themselves; obsolete entries go. Returns the entries kept per language."""
    kept_counts = {}
    for language in LANGUAGES:
        path = locale_dir / language / "LC_MESSAGES" / "django.po"
        entries = [_without_creation_date(e) for e in read(path) if not e.obsolete]
        if language == "zh_Hans":
            entries = [e for e in entries if e.is_header or not e.is_chinese]
        else:
            entries = [
                _with_identity(e)
                if not e.is_header and not e.is_chinese and not e.translated
                else e
                for e in entries
            ]
        _write(path, entries)
        kept_counts[language] = sum(1 for e in entries if not e.is_header)
    return kept_counts


def messages() -> None:
    """Re-extract the messages of the whole project, tidy the catalogues and compile them."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    django.setup()
    os.chdir(LOCALE_DIR.parent)
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    call_command("makemessages", *languages, *MAKEMESSAGES_ARGS, verbosity=0)
    for language, count in tidy().items():
        print(f"{language}: {count} messages")
    call_command(
        "compilemessages", *languages, "--ignore=.venv", "--ignore=node_modules", verbosity=0
    )


def main(argv: list[str]) -> int:
    if argv[1:] == ["tidy"]:
        for language, count in tidy().items():
            print(f"{language}: {count} messages")
    elif argv[1:] == ["messages"]:
        messages()
    else:
        print("usage: python -m gridgov.pofiles messages|tidy", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
