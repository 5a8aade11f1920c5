"""The rooms of the code and their rules (docs/architecture.md), checked on every import.

Imports are read from the source (imports inside functions included), so a rule can't be
dodged by importing late.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Operations sit at the top of bot/: the entry point, subcommands, settings, wiring.
OPERATIONS = {"bot.__main__", "bot.cli", "bot.settings", "bot.app", "bot.lifecycle"}
ROOMS = ("bot.domain", "bot.ui", "bot.runtime", "handlers", "storage")
SHARED_HANDLER_MODULES = {"handlers.common", "handlers.flows"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, set[str]]:
    """Every product module and the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for package in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imported: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module)
                    imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            found[module_name(path)] = imported
    return found


MODULES = modules()


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def broken(room: str, allowed: Callable[[str, str], bool]) -> list[str]:
    """Every import by a module of the room that its rule does not allow."""
    return [
        f"{module} imports {target}"
        for module, targets in sorted(MODULES.items())
        if within(module, room)
        for target in sorted(targets)
        if not allowed(module, target)
    ]


def test_every_module_sits_in_a_room() -> None:
    homeless = [
        m
        for m in MODULES
        if m not in OPERATIONS | {"bot"} and not any(within(m, room) for room in ROOMS)
    ]
    assert homeless == []


def test_the_rules_can_fail() -> None:
    """The reader sees real imports (so a broken rule would show)."""
    assert "telegram" in {t.split(".")[0] for t in MODULES["bot.ui.keyboards"]}
    assert "storage.models" in MODULES["bot.domain.checkins"]


def test_domain_rules_know_nothing_of_telegram_storage_or_screens() -> None:
    """Pure rules: plain data in (storage's models are plain dataclasses), decisions out."""
    forbidden = ("telegram", "aiosqlite", "sqlite3", "bot.ui", "bot.runtime", "handlers")
    operations = ("bot.app", "bot.cli", "bot.settings", "bot.__main__")

    def allowed(module: str, target: str) -> bool:
        if any(within(target, f) for f in (*forbidden, *operations)):
            return False
        return not within(target, "storage") or within(target, "storage.models")

    assert broken("bot.domain", allowed) == []


def test_ui_never_touches_the_database() -> None:
    """Words and pictures from plain data: no connection, no repository, no handler."""
    forbidden = ("aiosqlite", "sqlite3", "handlers", "bot.runtime", "bot.app", "bot.cli")

    def allowed(module: str, target: str) -> bool:
        if any(within(target, f) for f in forbidden):
            return False
        return not within(target, "storage") or within(target, "storage.models")

    assert broken("bot.ui", allowed) == []


def test_storage_imports_nothing_from_the_bot() -> None:
    def allowed(module: str, target: str) -> bool:
        return not within(target, "bot") and not within(target, "handlers")

    assert broken("storage", allowed) == []


def test_runtime_serves_handlers_without_knowing_them() -> None:
    forbidden = ("handlers", "bot.app", "bot.cli", "bot.__main__")
    assert broken("bot.runtime", lambda m, t: not any(within(t, f) for f in forbidden)) == []


def test_no_handler_imports_another() -> None:
    """Feature handlers share flows through handlers.flows and helpers through
    handlers.common; the flows use only the helpers, and the helpers no handler at all."""

    def allowed(module: str, target: str) -> bool:
        if within(target, "bot.app") or within(target, "bot.cli"):
            return False
        if not within(target, "handlers") or target == "handlers":
            return True
        if module == "handlers.common":
            return False
        if module == "handlers.flows":
            return within(target, "handlers.common")
        return any(within(target, shared) for shared in SHARED_HANDLER_MODULES)

    assert broken("handlers", allowed) == []


def test_only_the_try_command_reaches_into_the_sandbox() -> None:
    # The Bot API stand-in and the trial's page are no part of a running bot.
    reaching = sorted(
        module
        for module, targets in MODULES.items()
        if any(within(target, "sandbox") for target in targets)
    )
    assert reaching == ["bot.cli"]


def test_a_polling_bot_loads_neither_the_chart_libraries_nor_a_web_server() -> None:
    # matplotlib and numpy are about 40 MB and half a second of start-up: only the worker
    # process, which draws the charts, may import them. aiohttp's server side (18 ms of
    # start-up) is for webhook mode only.
    probe = (
        "import sys, bot.__main__, bot.app, bot.lifecycle, bot.cli\n"
        "heavy = ('matplotlib', 'numpy', 'PIL', 'aiohttp.web')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


def _texts_read_at_import(tree: ast.Module) -> list[int]:
    """Lines where `texts.NAME` is read when the module is imported (at its top level, in a
    class body, or as a default argument): English, whoever the bot later speaks with."""
    lines: list[int] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                for default in [*child.args.defaults, *child.args.kw_defaults]:
                    if default is not None:
                        visit(ast.Expression(default))
                continue  # a body runs later, in the language being spoken then
            if (
                isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Name)
                and child.value.id == "texts"
                and child.attr.isupper()
            ):
                lines.append(child.lineno)
            visit(child)

    visit(tree)
    return lines


def test_words_are_read_when_they_are_said_in_the_language_being_spoken() -> None:
    """texts.NAME gives NAME in the language of whoever the bot is speaking with
    (bot/ui/language.py): read at import, it would stay English for everyone."""
    found = []
    for package in ("bot", "handlers", "sandbox"):
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
            found += [f"{path.relative_to(ROOT)}:{line}" for line in _texts_read_at_import(tree)]
            if "from bot.ui.texts import" in source:
                found.append(f"{path.relative_to(ROOT)}: imports names from bot.ui.texts")
    assert found == []
    caught = _texts_read_at_import(ast.parse("X = texts.A\ndef f(a=texts.B):\n    texts.C\n"))
    assert caught == [1, 2]  # the rule can fail
