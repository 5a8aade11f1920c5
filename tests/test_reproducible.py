"""Installs are reproducible: CI and the Docker image install exact versions checked
against hashes, and the image starts from an exact release of its base."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.processes import ROOT

PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+) \\$")


def locked(name: str) -> dict[str, str]:
    """The lock file's packages and versions; every one must carry at least one hash."""
    lines = (ROOT / "requirements" / name).read_text().splitlines()
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        if not line or line[0] in "# ":
            continue
        match = PIN.match(line)
        assert match, f"{name}: not an exact pin with hashes: {line}"
        assert lines[number + 1].strip().startswith("--hash=sha256:"), line
        found[canonicalize_name(match[1])] = match[2]
    return found


def wanted(*, extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    if extra:
        names += project["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(name).name) for name in names}


def test_every_dependency_is_locked_at_a_version_it_allows() -> None:
    app, test = locked("app.lock"), locked("test.lock")
    assert wanted() <= set(app)
    assert wanted(extra="test") <= set(test)
    for name, version in app.items():
        assert test.get(name) == version, f"{name}: the two locks disagree"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(spec)
        version = test[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), f"{spec} does not allow {version}"


def test_ci_and_the_image_install_the_locks_with_hashes() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "--require-hashes -r requirements/test.lock" in ci
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"--require-hashes -r \S*app\.lock", dockerfile)
    # The project itself adds nothing beyond the lock.
    assert all("--no-deps" in line for line in dockerfile.splitlines() if "/tmp/src" in line
               and "pip install" in line)  # fmt: skip


def test_the_image_starts_from_an_exact_release() -> None:
    bases = re.findall(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert bases
    for base in bases:
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base


def test_the_image_holds_every_package_the_project_ships() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    tops = {name.split(".")[0] for name in pyproject["tool"]["setuptools"]["packages"]}
    copied = set(re.findall(r"^COPY (\w+) /tmp/src/\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert tops == copied
