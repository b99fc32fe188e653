"""The dependency rules of docs/ARCHITECTURE.md, checked on the import statements.

1. Domain code does not know Flask: only ``app.py``, ``web/`` and each package's ``views.py``
   and ``forms.py`` may import flask, flask_*, wtforms or werkzeug.
2. ``optimizer/`` imports only PuLP and the standard library (no project code).
3. ``imports/`` never touches the database (no sqlmodel/sqlalchemy).
4. ``core/`` depends on no domain package.
5. Domain packages never import the web layer.
6. The pure money package (``settlement/money/``) imports no SQL: no sqlmodel/sqlalchemy, no
   database module, no table module, nothing of the project beyond ``core``'s pure helpers.
7. Nothing imports ``api`` except the app (its composition root) and ``api`` itself.
8. ``api/`` holds only routes, bodies, the OpenAPI document and its token store; the read models
   its routes serve are domain modules that the pages' views import too.
9. No two modules (or sub-packages) of one package have names that differ by one letter
   (``model``/``models``, ``run``/``runs``): a reader cannot tell them apart.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("core", "accounts", "procurement", "bidding", "optimizer", "settlement", "imports", "demo", "jobs", "evaluation", "review", "api", "notices", "listing", "orders", "results", "cycles", "supply", "credit", "savings", "paystd", "pricewatch", "selfpay", "directpay")
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


def _modules(path: Path) -> set[str]:
    """Dotted names of the modules a file imports, ``from pkg import sub`` counted as ``pkg.sub``
    when ``sub`` is a module of the tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            folder = ROOT.joinpath(*node.module.split("."))
            names.update(f"{node.module}.{a.name}" for a in node.names
                         if (folder / f"{a.name}.py").is_file() or (folder / a.name / "__init__.py").is_file())
    return names


def _module_of(path: Path) -> str:
    """The dotted name of a file of the tree."""
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


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


#: the database modules of ``core`` (everything else in ``core`` is pure)
CORE_DATABASE = ("core.db", "core.audit", "core.audit_checkpoints", "core.migrate", "core.paging", "core.held")


def test_the_money_package_imports_no_sql():
    """``settlement/money/`` is pure maths over dataclasses: no SQL library, no database or table
    module, no project package but ``core``'s pure helpers and itself."""
    files = _files("settlement/money")
    assert files, "settlement/money/ is the pure money package"

    def bad(module: str) -> bool:
        top = module.split(".")[0]
        return (top in ("sqlmodel", "sqlalchemy", "psycopg") or module.startswith(CORE_DATABASE)
                or module.endswith(".models")
                or (top in PROJECT and top != "core" and not module.startswith("settlement.money")))

    offenders = {f.relative_to(ROOT).as_posix(): sorted(m for m in _modules(f) if bad(m)) for f in files}
    assert {f: m for f, m in offenders.items() if m} == {}


#: the composition root: the only modules outside ``api/`` that may import it
APP_FILES = ("app.py", "schema.py", "web/setup.py")


def test_nothing_imports_api_but_the_app():
    importers = [f.relative_to(ROOT).as_posix() for package in (*DOMAIN, "web") if package != "api"
                 for f in _files(package) if "api" in _imports(f)]
    importers += [name for name in ("app.py", "schema.py") if "api" in _imports(ROOT / name)]
    assert sorted(set(importers) - set(APP_FILES)) == []


#: what ``api/`` may hold: routes, bodies, the OpenAPI document, and its token store (models, services)
API_MODULES = {"__init__.py", "views.py", "bodies.py", "openapi.py", "models.py", "services.py"}


def _sql_names(path: Path) -> set[str]:
    """What a file takes from the SQL libraries (``sqlalchemy`` for a plain ``import``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] in ("sqlmodel", "sqlalchemy"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlmodel", "sqlalchemy"):
            names.update(a.name for a in node.names)
    return names


def test_api_holds_only_routes_bodies_and_the_openapi_document():
    files = _files("api")
    assert sorted(f.relative_to(ROOT).as_posix() for f in files if f.name not in API_MODULES) == []
    querying = [f.relative_to(ROOT).as_posix() for f in files if f.name not in ("models.py", "services.py")
                and _sql_names(f) - {"Session"}]
    assert querying == [], "read models live in the domain, not in api/ (a route may only pass a Session on)"


def _read_models(path: Path) -> set[str]:
    """The domain read-model modules (``queries``, ``lists``) a file imports."""
    return {m for m in _modules(path) if m.split(".")[0] in DOMAIN and m.split(".")[0] != "api"
            and m.rsplit(".", 1)[-1] in ("queries", "lists")}


def test_api_and_pages_read_the_same_domain_read_models():
    """Every read-model module an API route uses is one a page's views use as well: the pages and
    the API lean on the same domain read models, never one on the other."""
    api_uses = set().union(*(_read_models(f) for f in _files("api") if f.name == "views.py"))
    pages_use = set().union(*(_read_models(f) for package in (*DOMAIN, "web") if package != "api"
                              for f in _files(package) if f.name == "views.py"))
    assert api_uses, "the API's routes read domain read models"
    assert sorted(api_uses - pages_use) == []


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether two different names differ by one letter changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@pytest.mark.parametrize("package", (*DOMAIN, "web"))
def test_no_two_module_names_differ_by_one_letter(package):
    folder = ROOT / package
    names = {f.stem for f in _files(package) if f.stem != "__init__"}
    names |= {d.name for d in folder.rglob("*") if (d / "__init__.py").is_file()}
    assert sorted((a, b) for a in names for b in names if a < b and _one_letter_apart(a, b)) == []
