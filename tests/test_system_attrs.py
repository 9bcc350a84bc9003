"""Every system-attribute key a module defines is in the one registry, parabola._system_attrs."""

from __future__ import annotations

import ast
from pathlib import Path

import parabola
from parabola._system_attrs import PREFIXES, SYSTEM_ATTR_KEYS

PACKAGE_DIR = Path(parabola.__file__).parent
# Config keys of tracking runs are not system attributes.
NOT_SYSTEM_ATTRS = {"parabola/tracking/_run.py": {"META_KEY"}}


def _key_constants() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR.parent).as_posix()
        if rel == "parabola/_system_attrs.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            value = getattr(node, "value", None)
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                continue
            for target in targets:
                name = getattr(target, "id", "")
                if (
                    name.endswith("_KEY")
                    or name.endswith("_KEY_PREFIX")
                    or name == "_SAMPLE_ID_PREFIX"
                ) and name not in NOT_SYSTEM_ATTRS.get(rel, set()):
                    found.append((rel, name, value.value))
    return found


def test_the_walker_finds_the_known_keys() -> None:
    names = {(rel, name) for rel, name, _ in _key_constants()}
    assert ("parabola/samplers/_grid.py", "GRID_ID_KEY") in names
    assert len(names) >= 10


def test_every_key_constant_is_registered() -> None:
    unregistered = [
        f"{rel}: {name} = {value!r}"
        for rel, name, value in _key_constants()
        if value not in SYSTEM_ATTR_KEYS and not any(value == p for p in PREFIXES)
    ]
    assert unregistered == [], (
        "add these keys, with their owner and meaning, to parabola/_system_attrs.py:\n"
        + "\n".join(unregistered)
    )


def test_registry_keys_and_prefixes_do_not_collide() -> None:
    for prefix in PREFIXES:
        assert not [k for k in SYSTEM_ATTR_KEYS if k.startswith(prefix)], prefix
