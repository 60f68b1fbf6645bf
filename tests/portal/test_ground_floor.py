"""portal/ is the ground floor: it imports no audience app (brokers, employers, providers).
Nor do the core apps above it (enrollment, billing, commissions), demo data included.

Audience apps build on portal; an import the other way would make the floor depend on the rooms
above it. Migrations are checked too: a migration that imports an app's code ties the schema
history to that code.
"""

import ast
from pathlib import Path

import pytest

import billing
import commissions
import enrollment
import portal

AUDIENCE_APPS = {"brokers", "employers", "providers"}
PORTAL = Path(portal.__file__).parent


def imported_modules(tree):
    """Every module an `import`, `from ... import` or `import_module("...")` names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, [node.args[0].value]


def audience_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path}:{line} imports {name}"
        for line, names in imported_modules(tree)
        for name in names
        if name.split(".")[0] in AUDIENCE_APPS
    ]


def test_portal_imports_no_audience_app():
    files = sorted(PORTAL.rglob("*.py"))
    offences = [offence for path in files for offence in audience_imports(path)]
    assert offences == []
    # The walk found the package, demo helpers and migrations included.
    assert PORTAL / "demo" / "world.py" in files
    assert any("migrations" in path.parts for path in files)


@pytest.mark.parametrize("app", [enrollment, billing, commissions], ids=lambda app: app.__name__)
def test_core_apps_import_no_audience_app(app):
    files = sorted(Path(app.__file__).parent.rglob("*.py"))
    assert [offence for path in files for offence in audience_imports(path)] == []


def test_the_check_catches_an_audience_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\n"
        "import brokers.models\n"
        "from providers.services import provider_user_add\n"
        "from enrollment.models import Plan\n"
        "importlib.import_module('employers.demo')\n"
    )
    assert audience_imports(sample) == [
        f"{sample}:2 imports brokers.models",
        f"{sample}:3 imports providers.services",
        f"{sample}:5 imports employers.demo",
    ]
