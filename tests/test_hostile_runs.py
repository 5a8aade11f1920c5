"""The short version of each hostile run in bench/hostile.py: the real bot process killed,
stopped mid-burst, talking to a flaky Telegram, and writing to a disk that fills up. Every
message is kept once, and every person answered honestly."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.processes import ROOT


def hostile() -> ModuleType:
    """bench/hostile.py, the script itself (bench/ is a folder of scripts, not a package)."""
    if "bench_hostile" in sys.modules:
        return sys.modules["bench_hostile"]
    spec = importlib.util.spec_from_file_location("bench_hostile", ROOT / "bench" / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_hostile"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("scenario", ["kill9", "sigterm", "flaky", "diskfull"])
async def test_a_hostile_run_loses_nothing_and_answers_everyone(scenario: str) -> None:
    result: dict[str, Any] = await hostile().run(scenario, small=True)
    if "skipped" in result:
        pytest.skip(result["skipped"])  # a tmpfs needs root
    assert result["sent"] > 0 and result["delivered"] == result["sent"], result
    for target in ("lost", "duplicated", "false_kept", "told_failed_stored", "unanswered"):
        assert result[target] == 0, (target, result)
    assert result["tracebacks"] == 0, result
    assert result["confirmed"] == result["stored"], result
    if scenario == "sigterm":
        assert result["stop_seconds"] < 5, result
    if scenario == "diskfull":
        assert result["told_failed"] > 0, result  # the disk really was full for a while
