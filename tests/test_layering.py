"""The packages depend one way: organiser -> campaigns -> volunteers -> core.

Inside campaigns, each kind of pressure (petitions, letters, and later storms, events)
builds on targets and feeds pressure (the record of actions against targets); pressure
builds on targets only, and targets on none of them. The project frame (config/) imports the
apps to wire them up, so no app may import it. Every import statement is read, including
those inside functions, since a late import is still a dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "volunteers", "campaigns", "organiser"]  # bottom first
# Which sibling apps a campaigns app may import; any app not named here may import these.
SIBLINGS = {"targets": set(), "pressure": {"targets"}}
SHARED = {"targets", "pressure"}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path) -> list[str]:
    """Each import against the layering, as 'file:line imports module'."""
    found = []
    for layer_index, layer in enumerate(LAYERS):
        for path in sorted((root / layer).rglob("*.py")):
            own = path.relative_to(root).parts
            for line, module in _imported_modules(path):
                top, *rest = module.split(".")
                wrong = top == "config" or (top in LAYERS and LAYERS.index(top) > layer_index)
                if top == layer == "campaigns" and len(own) > 2 and rest:
                    app, imported_app = own[1], rest[0]
                    allowed = SIBLINGS.get(app, SHARED)
                    wrong = wrong or (app != imported_app and imported_app not in allowed)
                if wrong:
                    found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_no_import_runs_against_the_layers():
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("volunteers/bad.py", "from config.settings import DEBUG\n", "imports config.settings"),
        ("core/bad.py", "def f():\n    import volunteers.models\n", "imports volunteers.models"),
        ("volunteers/bad.py", "from campaigns.targets import models\n", "campaigns.targets"),
        ("campaigns/targets/bad.py", "from campaigns.petitions import models\n", "petitions"),
        ("campaigns/petitions/bad.py", "from organiser import tasks\n", "imports organiser"),
        ("campaigns/pressure/bad.py", "from campaigns.petitions import models\n", "petitions"),
        ("campaigns/letters/bad.py", "from campaigns.petitions import abuse\n", "petitions"),
    ],
)
def test_an_import_against_the_layers_is_reported(tmp_path, file, source, expected):
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)

    [found] = violations(tmp_path)

    assert found.startswith(f"{file}:") and expected in found


def test_imports_that_follow_the_layers_are_allowed(tmp_path):
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
    (tmp_path / "campaigns" / "petitions").mkdir()
    (tmp_path / "campaigns" / "petitions" / "ok.py").write_text(
        "from campaigns.targets.models import Target\nfrom volunteers import places\n"
        "from core.db import insert_row\nfrom campaigns.petitions import abuse\n"
        "from campaigns.pressure.services import action_record\n"
    )
    (tmp_path / "organiser" / "ok.py").write_text("import campaigns.petitions.models\n")

    assert violations(tmp_path) == []
