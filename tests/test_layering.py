"""The layers import only downwards: common -> conditioning -> synth -> ui (and the CLI), with
train beside synth and ui. Every import statement of every module is read (ast), including
imports inside functions, so a lazy import cannot hide a dependency on a higher layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each layer and the top-level packages it must never import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "common": frozenset({"conditioning", "synth", "ui", "train"}),
    "conditioning": frozenset({"synth", "ui", "train"}),
    "synth": frozenset({"ui", "train"}),
    "ui": frozenset({"train"}),
}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in one file; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def violations(layer: str, root: Path = ROOT) -> list[str]:
    forbidden = FORBIDDEN[layer]
    return [f"{path.relative_to(root)}:{line} imports {name}"
            for path in sorted((root / layer).rglob("*.py"))
            for line, name in imported_modules(path, root)
            if name.split(".")[0] in forbidden]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(layer):
    assert (ROOT / layer).is_dir(), f"layer {layer}/ is missing"
    assert violations(layer) == []


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path):
    # The check is only as good as its reader: a function-level import and a relative import
    # that climbs out of a subpackage must both be seen, resolved to their absolute names.
    package = tmp_path / "synth" / "face"
    package.mkdir(parents=True)
    module = package / "example.py"
    module.write_text("import numpy\nfrom ..render import engines\nfrom . import rig\n\n"
                      "def late():\n    from train import x\n")
    assert [name for _, name in imported_modules(module, tmp_path)] == ["numpy", "synth.render", "synth.face", "train"]
    assert violations("synth", tmp_path) == ["synth/face/example.py:6 imports train"]


MAX_MODULE_LINES = 500


def test_every_module_holds_one_idea_in_at_most_500_lines():
    long = {str(path.relative_to(ROOT)): n for package in ("common", "conditioning", "synth", "train", "ui")
            for path in (ROOT / package).rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"split these modules along their seams: {long}"
