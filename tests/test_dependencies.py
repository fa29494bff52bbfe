"""Dependency floors and the GitHub Action's hash-locked install.

The floors keep out releases with advisories that matter to ascsync (jinja2 < 3.1.6 let
a repo template escape the sandbox; requests < 2.32.4 leaked .netrc credentials) and
declare urllib3, which ascsync imports. The Action installs exactly
action-constraints.txt: the versions this suite ran with, each locked by sha256.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import distribution, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"jinja2": "3.1.6", "requests": "2.32.4", "urllib3": "2.6.3"}


def declared() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(r) for r in data["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def constraints() -> dict[str, tuple[str, list[str]]]:
    """name -> (pinned version, hashes) from action-constraints.txt."""
    text = (ROOT / "action-constraints.txt").read_text(encoding="utf-8")
    text = text.replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement, *options = line.split()
        name, sep, version = requirement.partition("==")
        assert sep, f"not pinned with ==: {line[:60]}"
        hashes = [o.removeprefix("--hash=sha256:") for o in options]
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
        pins[canonicalize_name(name)] = (version, hashes)
    return pins


def runtime_closure() -> dict[str, str]:
    """Installed versions of ascsync's runtime dependencies, transitively (no extras)."""
    found: dict[str, str] = {}
    todo = [Requirement(r) for r in requires("ascsync") or []]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found or (requirement.marker and not requirement.marker.evaluate()):
            continue
        found[name] = distribution(requirement.name).version
        todo += [Requirement(r) for r in distribution(requirement.name).requires or []]
    return found


def test_floors_exclude_the_vulnerable_releases():
    deps = declared()
    for name, floor in FLOORS.items():
        assert name in deps, f"{name} is not declared"
        assert not deps[name].specifier.contains(str(_just_below(floor))), deps[name]
        assert deps[name].specifier.contains(floor)


def _just_below(version: str) -> Version:
    major, minor, micro = Version(version).release
    return Version(f"{major}.{minor}.{micro - 1}" if micro else f"{major}.{minor - 1}.99")


def test_installed_versions_satisfy_the_declared_ranges():
    for name, requirement in declared().items():
        installed = distribution(name).version
        assert requirement.specifier.contains(installed, prereleases=True), (name, installed)


def test_the_action_installs_exactly_what_was_tested_locked_by_hash():
    pins = constraints()
    tested = runtime_closure()
    missing = set(tested) - set(pins)
    assert not missing, f"refresh action-constraints.txt: {sorted(missing)} not pinned"
    for name, version in tested.items():
        assert pins[name][0] == version, f"{name}: tested {version}, pinned {pins[name][0]}"
    assert all(hashes for _, hashes in pins.values())
    assert "setuptools" in pins  # builds ascsync itself without fetching anything


def test_the_action_uses_the_constraints_file_and_nothing_else():
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    [install] = [s for s in action["runs"]["steps"] if s.get("name") == "Install ascsync"]
    script = " ".join(install["run"].replace("\\\n", " ").split())
    assert "--require-hashes --only-binary=:all: --no-deps -r" in script
    assert '"$ACTION_PATH/action-constraints.txt"' in script
    assert '--no-deps --no-build-isolation --no-index "$ACTION_PATH"' in script
    assert script.endswith("python -I -m pip check")
