"""The real `python -m bot` process, started the way a person would, in a clean environment.

Tests that run the process never pass on the developer's environment or working folder: the
child gets only what Python itself needs plus the settings the test names, and runs in a
temporary folder, so no stray `.env` or exported setting can change what it does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
# What a Python process needs from the environment to run at all; settings are never passed on.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(settings: dict[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment: the basics, the checkout on PYTHONPATH, `settings`."""
    env = {name: os.environ[name] for name in KEPT if name in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env["PTB_TIMEDELTA"] = "true"  # as in the suite: warnings as errors stay quiet
    env.update(settings or {})
    return env


def run_bot(
    *args: str, cwd: Path, settings: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` to the end; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean_env(settings),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def start_bot(
    *args: str,
    cwd: Path,
    settings: dict[str, str] | None = None,
    stdout: IO[str] | int | None = None,
    stderr: IO[str] | int | None = None,
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` in the background (the caller stops it)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=clean_env(settings),
        cwd=cwd,
        stdout=stdout,
        stderr=stderr,
    )


def one_line(text: str) -> str:
    """The only line of `text`; fails showing all of it if there are more or none."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]
