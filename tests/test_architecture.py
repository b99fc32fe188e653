"""The dependency rules of docs/ARCHITECTURE.md, checked on the import statements.

1. Domain code does not know Flask: only ``app.py``, ``web/`` and each package's ``views.py``
   and ``forms.py`` may import flask, flask_*, wtforms or werkzeug.
2. ``optimizer/`` imports only PuLP and the standard library (no project code).
3. ``imports/`` never touches the database (no sqlmodel/sqlalchemy).
4. ``core/`` depends on no domain package.
5. Domain packages never import the web layer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("core", "accounts", "procurement", "bidding", "optimizer", "settlement", "imports", "demo", "jobs", "evaluation", "review", "api")
PROJECT = set(DOMAIN) | {"web", "app", "schema"}
WEB_LIBS = ("flask", "flask_login", "flask_wtf", "flask_babel", "wtforms", "werkzeug")
WEB_FILES = ("views.py", "forms.py")


def _imports(path: Path) -> set[str]:
    """Top-level module names imported by a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(package: str):
    """Every Python file of a package that exists in the tree."""
    folder = ROOT / package
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_code_does_not_import_flask(package):
    bad = [(f.relative_to(ROOT).as_posix(), sorted(_imports(f) & set(WEB_LIBS)))
           for f in _files(package) if f.name not in WEB_FILES and _imports(f) & set(WEB_LIBS)]
    assert bad == []


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_code_does_not_import_the_web_layer(package):
    bad = [f.relative_to(ROOT).as_posix() for f in _files(package)
           if f.name not in WEB_FILES and "web" in _imports(f)]
    assert bad == []


def test_optimizer_imports_only_pulp_and_stdlib():
    # highspy is the HiGHS binding PuLP drives (installed as pulp[highs]); numpy is its dependency.
    allowed = set(sys.stdlib_module_names) | {"pulp", "highspy", "numpy", "optimizer", "__future__"}
    bad = {f.relative_to(ROOT).as_posix(): sorted(_imports(f) - allowed) for f in _files("optimizer")
           if _imports(f) - allowed}
    assert bad == {}


def test_imports_package_never_touches_the_database():
    bad = [f.relative_to(ROOT).as_posix() for f in _files("imports")
           if _imports(f) & ({"sqlmodel", "sqlalchemy"} | (PROJECT - {"imports", "core"}))]
    assert bad == []


def test_core_depends_on_no_domain_package():
    bad = [f.relative_to(ROOT).as_posix() for f in _files("core") if _imports(f) & (PROJECT - {"core"})]
    assert bad == []


def test_forms_read_numbers_through_the_bounded_fields():
    """Integers come through ``web.forms.WholeField`` (bounded), never a bare WTForms IntegerField,
    so no form hands a service a number past its column (issue 13, item 4)."""
    bad = []
    for package in (*DOMAIN, "web"):
        for f in _files(package):
            if f.name in WEB_FILES and f.relative_to(ROOT).as_posix() != "web/forms.py":
                tree = ast.parse(f.read_text(encoding="utf-8"))
                names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "")
                         .startswith("wtforms") for a in n.names}
                if names & {"IntegerField", "DecimalField", "FloatField", "IntegerRangeField"}:
                    bad.append(f.relative_to(ROOT).as_posix())
    assert bad == []
