"""The architecture as folders: data flows records -> effects -> stats -> analyses -> render.

Each layer may import only the layers before it (and the shared base modules ``errors``,
``results``, ``printed``, ``output``). Found by parsing every import statement, including the
lazy ones inside functions.
"""

import ast
from pathlib import Path

import pytest

import ivigmeta

PACKAGE = Path(ivigmeta.__file__).parent
ORDER = ("records", "effects", "stats", "analyses", "render", "cli")
#: For each layer, the layers it must not import.
FORBIDDEN = {layer: set(ORDER[i + 1 :]) for i, layer in enumerate(ORDER)}
MAX_LINES = 400


def imported_layers(path: Path) -> set[str]:
    """The ivigmeta layers a module imports; ``stats.numerics`` (distributions, special
    functions) counts as a base module, below ``effects``, which uses it."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ivigmeta" and len(parts) > 1 and parts[1:3] != ["stats", "numerics"]:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("layer", ORDER[:-1])
def test_no_layer_imports_a_later_one(layer):
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_layers(path) & FORBIDDEN[layer])
        for path in (PACKAGE / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_stats_imports_nothing_from_records():
    users = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "stats").rglob("*.py")
        if "ivigmeta.records" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_stats_is_grouped_by_concept():
    folders = {p.name for p in (PACKAGE / "stats").iterdir() if p.is_dir() and p.name[0] != "_"}
    assert {"numerics", "models", "sensitivity", "bias", "checks"} <= folders
    flat = sorted(p.stem for p in (PACKAGE / "stats").glob("*.py") if p.stem != "__init__")
    assert flat == ["confint", "rma"]  # the 0.1 import paths, kept as aliases


def test_long_modules_say_why():
    """A module far above 400 lines states the reason in its docstring ("... lines: ...")."""
    unexplained = []
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES * 1.1 and "lines" not in doc:
            unexplained.append(f"{path.relative_to(PACKAGE)} ({lines} lines)")
    assert unexplained == []


def test_old_import_paths_still_work():
    from ivigmeta.stats.confint import tau2_confint as old_confint
    from ivigmeta.stats.models.confint import tau2_confint
    from ivigmeta.stats.models.rma import rma
    from ivigmeta.stats.rma import rma as old_rma

    assert old_rma is rma and old_confint is tau2_confint
