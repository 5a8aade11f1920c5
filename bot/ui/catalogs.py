"""Keep the translation catalogs in step with bot/ui/texts.py (Babel's catalog tools).

    python -m bot.ui.catalogs update     texts.py -> glimmers.pot -> each language's .po
    python -m bot.ui.catalogs add it     start a catalog for a new language (then translate)
    python -m bot.ui.catalogs compile    each .po -> the .mo the bot reads
    python -m bot.ui.catalogs check de   what is missing or wrong in a catalog

Every message's context is its name in texts.py (a tuple's items are NAME.0, NAME.1; a dict's
are NAME.key), and the comment above it there comes along for the translator.
"""

from __future__ import annotations

import ast
import gettext
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.ui import language, texts

TEXTS_FILE = Path(texts.__file__)
TEMPLATE = language.LOCALE_DIR / f"{language.DOMAIN}.pot"
# Fixed, so the template only changes when a message does.
TEMPLATE_DATE = datetime(2026, 12, 7, tzinfo=UTC)
LINE_WIDTH = 100


def template() -> Catalog:
    """Every message in texts.py, in English, as a catalog template."""
    catalog = Catalog(
        project="glimmers-bot",
        version="1",
        copyright_holder="the glimmers-bot authors",
        charset="utf-8",
        creation_date=TEMPLATE_DATE,
        revision_date=TEMPLATE_DATE,
        fuzzy=False,
    )
    places = dict(_places())
    for context, english in language.messages(texts):
        name = context.split(".", 1)[0]
        line, comments = places.get(name, (0, []))
        flags = ["python-brace-format"] if "{" in str(english) else []
        catalog.add(
            english,
            context=context,
            locations=[("bot/ui/texts.py", line)],
            auto_comments=comments,
            flags=flags,
        )
    return catalog


def _places() -> Iterator[tuple[str, tuple[int, list[str]]]]:
    """Each name's line in texts.py, and the comment lines right above it."""
    source = TEXTS_FILE.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            comments: list[str] = []
            above = node.lineno - 2
            while above >= 0 and lines[above].startswith("# ") and "---" not in lines[above]:
                comments.insert(0, lines[above][2:])
                above -= 1
            yield node.targets[0].id, (node.lineno, comments)


def catalog_path(code: str, suffix: str = "po") -> Path:
    return language.LOCALE_DIR / code / "LC_MESSAGES" / f"{language.DOMAIN}.{suffix}"


def translated_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in language.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def template_bytes(made: Catalog | None = None) -> bytes:
    out = BytesIO()
    write_po(out, made or template(), width=LINE_WIDTH, sort_output=False)
    return out.getvalue()


def read(code: str) -> Catalog:
    with catalog_path(code).open("rb") as file:
        return read_po(file, locale=code, domain=language.DOMAIN)


def compiled(code: str) -> bytes:
    out = BytesIO()
    write_mo(out, read(code))
    return out.getvalue()


def update() -> None:
    made = template()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(template_bytes(made))
    for code in translated_languages():
        catalog = read(code)
        catalog.update(made, update_header_comment=False)
        _write(code, catalog)


def add(code: str) -> None:
    if catalog_path(code).exists():
        raise SystemExit(f"{catalog_path(code)} already exists")
    catalog = Catalog(
        locale=code,
        domain=language.DOMAIN,
        header_comment=f"# {code} messages for glimmers-bot: see bot/locale/GLOSSARY.md first.",
        project="glimmers-bot",
        version="1",
        copyright_holder="the glimmers-bot authors",
        fuzzy=False,
    )
    catalog.update(template())
    _write(code, catalog)


def compile_all() -> None:
    for code in translated_languages():
        catalog_path(code, "mo").write_bytes(compiled(code))


def _write(code: str, catalog: Catalog) -> None:
    catalog_path(code).parent.mkdir(parents=True, exist_ok=True)
    with catalog_path(code).open("wb") as file:
        write_po(file, catalog, width=LINE_WIDTH, sort_output=False, ignore_obsolete=True)


# --- Checks: tests/test_translations.py runs them for every language ---------------------------

PLACEHOLDER = re.compile(r"{(\w*)}")
TAG = re.compile(r"</?(\w+)[^>]*>")
# Pop-ups (answers to a button press): Telegram takes 200 characters at most.
POPUPS = frozenset(
    {
        "ALREADY_GONE", "BUTTON_EXPIRED", "CHECKIN_REMIND_SET", "DELETE_KEPT",
        "IMPORT_DAY_FULL_POPUP", "IMPORT_GONE", "LANGUAGE_SAME", "LANGUAGE_SET", "NOT_ALLOWED",
        "NOT_PRIVATE_BUTTON", "RECAP_RESTING_POPUP", "REPORT_RESTING_POPUP",
        "SAVOUR_CHOICE_REMEMBERED", "SEARCH_GONE", "SEARCH_RESTING_POPUP", "SETTINGS_SAVED",
        "SOMETHING_WENT_WRONG", "STARRED", "TAGS_GONE", "UNSTARRED",
    }
)  # fmt: skip
POPUP_MOST = 200
# Button labels: what fits a phone's button without being cut (in UTF-16 units, as
# Telegram counts). Answer labels sit one or two to a row, the rest up to three.
BUTTON_MOST = 32
BUTTONS = ("BUTTON_", "SENSE_LABELS", "BODY_LABELS", "LADDER_LABELS")
COMMAND_MOST = 256  # a command's line in the menu
LONGEST_FILL = 120  # placeholders are filled with text this long before measuring
MESSAGE_MOST = 4096


def problems(code: str) -> list[str]:
    """What is missing or wrong in `code`'s catalog: untranslated messages, placeholders or
    HTML tags that differ from the English, text too long for where it goes."""
    found: list[str] = []
    catalog = read(code)
    by_context = {message.context: message for message in catalog if message.id}
    plural = gettext.c2py(catalog.plural_expr)
    many = {plural(n) for n in range(2, 1000)}  # the forms used for numbers besides 1
    with language.speaking(language.ENGLISH):
        sources = dict(language.spoken_messages(texts))
    for context, english in language.messages(texts):
        message = by_context.get(context)
        if message is None or message.fuzzy:
            found.append(f"{context}: missing" if message is None else f"{context}: fuzzy")
            continue
        string = message.string
        forms = (
            [str(s) for s in string] if isinstance(string, (tuple, list)) else [str(string or "")]
        )
        if not all(forms):
            found.append(f"{context}: not translated")
            continue
        if isinstance(english, tuple):
            one, other = english
            wanted = set(PLACEHOLDER.findall(other)) | set(PLACEHOLDER.findall(one))
            by = getattr(sources[context], "by", "count")
            for index, form in enumerate(forms):
                need = set(wanted)
                if index not in many and by not in PLACEHOLDER.findall(one):
                    need.discard(by)  # a form only for 1 may say "a minute"
                found += _compare(context, other, form, need, wanted)
        else:
            wanted = set(PLACEHOLDER.findall(english))
            found += _compare(context, english, forms[0], wanted, wanted)
        name = context.split(".", 1)[0]
        for form in forms:
            size = _size(form)
            if name in POPUPS:
                if size > POPUP_MOST:
                    found.append(f"{context}: {size} characters, a pop-up takes {POPUP_MOST}")
            elif name.startswith(BUTTONS) and size > BUTTON_MOST:
                found.append(f"{context}: a button of {size} characters, {BUTTON_MOST} fit")
            elif name == "COMMAND_MENU" and size > COMMAND_MOST:
                found.append(f"{context}: {size} characters, the menu takes {COMMAND_MOST}")
            elif size > MESSAGE_MOST - 500:
                found.append(f"{context}: {size} characters, too close to Telegram's 4096")
    return found


def _compare(context: str, english: str, form: str, need: set[str], allowed: set[str]) -> list[str]:
    out = []
    names = set(PLACEHOLDER.findall(form))
    if not need <= names:
        out.append(f"{context}: lacks {{{'}, {'.join(sorted(need - names))}}}")
    if not names <= allowed:
        out.append(f"{context}: has {{{'}, {'.join(sorted(names - allowed))}}}, unknown")
    if sorted(TAG.findall(form)) != sorted(TAG.findall(english)):
        out.append(f"{context}: HTML tags differ from the English")
    if form.count("&") != english.count("&") and "&amp;" in english:
        out.append(f"{context}: write & as &amp;, as the English does")
    if "<" in form.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace(
        "</i>", ""
    ).replace("<code>", "").replace("</code>", ""):
        out.append(f"{context}: a bare < (write &lt;)")
    return out


def _size(form: str) -> int:
    filled = PLACEHOLDER.sub("x" * LONGEST_FILL, form) if "{" in form else form
    return len(filled.encode("utf-16-le")) // 2 - (LONGEST_FILL if "{" in form else 0)


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["add"] and len(argv) == 2:
        add(argv[1])
    elif argv[:1] == ["compile"]:
        compile_all()
    elif argv[:1] == ["check"] and len(argv) == 2:
        found = problems(argv[1])
        print("\n".join(found) or f"{argv[1]}: complete, and every message checks out")
        return 1 if found else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
