"""The never-rules of docs/architecture.md, read from the source (no import, no database).

- Reads never import services: followups/selectors (the module or package) and
  followups/reports/ read; they import models, scheduling and other reads, never
  followups.services, followups.tasks or followups.enqueue.
- Services never import tasks: followups/services/ and scripts/services/ hand work to the
  worker through followups.enqueue (on commit), never by importing followups.tasks, not
  even inside a function.
- Tasks are enqueued in one place: followups/enqueue.py alone imports followups.tasks (no
  module of followups/ or scripts/ does), and inside its functions only (the tasks import
  the services that call it).
- Edges stay thin: followups/views/, followups/api/, scripts/views/ and scripts/api.py
  neither open a transaction (atomic, select_for_update, on_commit), nor write files, nor
  import followups.tasks: a verb that needs those lives in a service.
- The script graph and the runner are pure: scripts/graph/ and scripts/runner.py import no
  HTTP (django.http, django.shortcuts), no database (django.db), no service, view, read,
  task or enqueue, and run no query (no `.objects`): the console and the preview pass them
  what they need.

Every import is read, at module level or inside a function, relative ones resolved.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVICES = "followups.services"
TASKS = "followups.tasks"
ENQUEUE = "followups.enqueue"

SERVICE_PLACES = ("followups/services", "scripts/services")
EDGE_PLACES = ("followups/views", "followups/api", "scripts/views", "scripts/api.py")
PURE_PLACES = ("scripts/graph", "scripts/runner.py")
# What a pure module may not import: HTTP, the database, and every layer that reaches them.
NOT_PURE = (
    "django.http",
    "django.shortcuts",
    "django.db",
    SERVICES,
    "scripts.services",
    "followups.views",
    "scripts.views",
    "followups.selectors",
    "followups.reports",
    TASKS,
    ENQUEUE,
)

# What opens or hooks into a transaction, and what writes to the file system.
TRANSACTION_CALLS = {"atomic", "select_for_update", "on_commit", "set_autocommit"}
FILE_WRITES = {"unlink", "mkdir", "rmdir", "rmtree", "iterdir", "write_bytes", "write_text"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def outside_functions(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes run when the module is imported: none inside a function's body."""
    for node in ast.iter_child_nodes(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield node
            yield from outside_functions(node)


def imported_names(nodes, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for every import among `nodes`: `from a import b` yields `a.b`
    (b may be a module or a name in a); relative imports are resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{source}.{alias.name}"


def within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def python_files(root: Path, *places: str) -> list[Path]:
    found = []
    for place in places:
        target = root / place
        if target.is_file():
            found.append(target)
        elif target.is_dir():
            found.extend(sorted(target.rglob("*.py")))
    return found


def parsed(root: Path, path: Path) -> tuple[ast.AST, str, bool]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tree, module_name(path, root), path.name == "__init__.py"


def in_order(problems: list[tuple[Path, int, str]], root: Path) -> list[str]:
    """ "path:line what", by file then line."""
    return [f"{path.relative_to(root)}:{line} {what}" for path, line, what in sorted(problems)]


def forbidden_imports(root: Path, places: tuple[str, ...], forbidden: tuple[str, ...]) -> list:
    problems = []
    for path in python_files(root, *places):
        tree, module, is_package = parsed(root, path)
        for line, name in imported_names(ast.walk(tree), module, is_package):
            if any(within(name, banned) for banned in forbidden):
                problems.append((path, line, f"imports {name}"))
    return problems


def read_violations(root: Path) -> list[str]:
    places = ("followups/selectors.py", "followups/selectors", "followups/reports")
    return in_order(forbidden_imports(root, places, (SERVICES, TASKS, ENQUEUE)), root)


def service_violations(root: Path) -> list[str]:
    return in_order(forbidden_imports(root, SERVICE_PLACES, (TASKS,)), root)


def enqueue_violations(root: Path) -> list[str]:
    problems = [
        problem
        for problem in forbidden_imports(root, ("followups", "scripts"), (TASKS,))
        if problem[0].relative_to(root).as_posix()
        not in {"followups/enqueue.py", "followups/tasks.py"}
    ]
    enqueue = root / "followups/enqueue.py"
    if enqueue.is_file():
        tree, module, _package = parsed(root, enqueue)
        for line, name in imported_names(outside_functions(tree), module, False):
            if within(name, TASKS):
                problems.append((enqueue, line, f"imports {name} at module level"))
    return in_order(problems, root)


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def edge_violations(root: Path) -> list[str]:
    problems = forbidden_imports(root, EDGE_PLACES, (TASKS,))
    for path in python_files(root, *EDGE_PLACES):
        tree, _module, _package = parsed(root, path)
        for node in ast.walk(tree):
            # @transaction.atomic or transaction.atomic() or with atomic(): ...
            if isinstance(node, ast.Attribute) and node.attr in TRANSACTION_CALLS:
                problems.append((path, node.lineno, f"uses {node.attr} (a transaction)"))
            elif isinstance(node, ast.ImportFrom) and node.module == "django.db.transaction":
                problems.append((path, node.lineno, "imports from django.db.transaction"))
            elif isinstance(node, ast.Call):
                name = called_name(node)
                if name in FILE_WRITES or (isinstance(node.func, ast.Name) and name == "open"):
                    problems.append((path, node.lineno, f"calls {name} (the file system)"))
    return in_order(problems, root)


def pure_violations(root: Path) -> list[str]:
    problems = forbidden_imports(root, PURE_PLACES, NOT_PURE)
    for path in python_files(root, *PURE_PLACES):
        tree, _module, _package = parsed(root, path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                problems.append((path, node.lineno, "uses .objects (a query)"))
    return in_order(problems, root)


RULES = {
    "reads never import services, tasks or enqueue": read_violations,
    "services never import tasks": service_violations,
    "followups/enqueue.py alone imports tasks, inside its functions": enqueue_violations,
    "views and the API open no transaction, write no file, import no task": edge_violations,
    "the script graph and the runner are pure": pure_violations,
}


@pytest.mark.parametrize("rule", RULES)
def test_the_never_rules_hold(rule):
    problems = RULES[rule](ROOT)
    assert problems == [], f"{rule}:\n" + "\n".join(problems)


# --- The rules can fail -----------------------------------------------------------------------


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# A tree where each rule is broken, and kept.
BROKEN = {
    "followups/selectors.py": "from followups.services import person_calls\n",
    "followups/reports/escalations.py": "from ..services.escalation_workflow import UNRESOLVED\n",
    "followups/reports/agents.py": "def rules():\n    from followups.services import policies\n",
    "followups/reports/fine.py": "from .calls import ONE_PER_CALL\n",
    "followups/services/reviews.py": "from followups.tasks import x_task\n",
    "followups/services/plans.py": "def changed():\n    from followups.tasks import resync_task\n",
    "followups/services/fine.py": "from followups import enqueue\n",
    "followups/enqueue.py": "def later():\n    from followups import tasks\n",
    "followups/forms.py": "if True:\n    import followups.tasks\n",
    "followups/api/resources.py": (
        "from django.db import transaction\n\n@transaction.atomic\ndef move():\n    pass\n"
    ),
    "followups/views/config.py": "def imports(stored):\n    stored.unlink(missing_ok=True)\n",
}


def test_each_rule_names_the_file_and_the_import_it_catches(tmp_path):
    for relative, text in BROKEN.items():
        write(tmp_path, relative, text)

    assert read_violations(tmp_path) == [
        "followups/reports/agents.py:2 imports followups.services.policies",
        "followups/reports/escalations.py:1 imports "
        "followups.services.escalation_workflow.UNRESOLVED",
        "followups/selectors.py:1 imports followups.services.person_calls",
    ]
    assert service_violations(tmp_path) == [
        "followups/services/plans.py:2 imports followups.tasks.resync_task",
        "followups/services/reviews.py:1 imports followups.tasks.x_task",
    ]
    assert enqueue_violations(tmp_path) == [
        "followups/forms.py:2 imports followups.tasks",
        "followups/services/plans.py:2 imports followups.tasks.resync_task",
        "followups/services/reviews.py:1 imports followups.tasks.x_task",
    ]
    write(tmp_path, "followups/enqueue.py", "from followups.tasks import build_task\n")
    assert enqueue_violations(tmp_path)[0] == (
        "followups/enqueue.py:1 imports followups.tasks.build_task at module level"
    )
    assert edge_violations(tmp_path) == [
        "followups/api/resources.py:3 uses atomic (a transaction)",
        "followups/views/config.py:2 calls unlink (the file system)",
    ]


def test_a_selectors_package_is_held_to_the_rule_too(tmp_path):
    write(tmp_path, "followups/selectors/__init__.py", "from .due import carried_counts\n")
    write(tmp_path, "followups/selectors/due.py", "from followups.services.claims import claim\n")
    assert read_violations(tmp_path) == [
        "followups/selectors/due.py:1 imports followups.services.claims.claim"
    ]


def test_the_scripts_app_is_held_to_the_same_rules(tmp_path):
    write(tmp_path, "scripts/services/publishing.py", "from followups.tasks import mail_task\n")
    write(tmp_path, "scripts/services/fine.py", "from followups import enqueue\n")
    write(
        tmp_path,
        "scripts/views/editor.py",
        "from django.db import transaction\n\n@transaction.atomic\ndef save():\n    pass\n",
    )
    write(tmp_path, "scripts/api.py", "def upload(path):\n    path.write_bytes(b'')\n")
    write(tmp_path, "scripts/forms.py", "from followups import tasks\n")

    assert service_violations(tmp_path) == [
        "scripts/services/publishing.py:1 imports followups.tasks.mail_task"
    ]
    assert enqueue_violations(tmp_path) == [
        "scripts/forms.py:1 imports followups.tasks",
        "scripts/services/publishing.py:1 imports followups.tasks.mail_task",
    ]
    assert edge_violations(tmp_path) == [
        "scripts/api.py:2 calls write_bytes (the file system)",
        "scripts/views/editor.py:3 uses atomic (a transaction)",
    ]


def test_the_graph_and_the_runner_may_not_reach_for_http_or_the_database(tmp_path):
    write(
        tmp_path,
        "scripts/runner.py",
        "from django.http import HttpRequest\nfrom followups.models import Disposition\n\n"
        "def run(graph):\n    from scripts.services import script_values\n",
    )
    write(
        tmp_path,
        "scripts/graph/walk.py",
        "from scripts.models import ScriptVersion\n\n"
        "def replay(pk):\n    return ScriptVersion.objects.get(pk=pk)\n",
    )
    write(tmp_path, "scripts/graph/reading.py", "from django.db.models import Q\n")
    write(tmp_path, "scripts/graph/fine.py", "from django.utils.translation import gettext\n")

    assert pure_violations(tmp_path) == [
        "scripts/graph/reading.py:1 imports django.db.models.Q",
        "scripts/graph/walk.py:4 uses .objects (a query)",
        "scripts/runner.py:1 imports django.http.HttpRequest",
        "scripts/runner.py:5 imports scripts.services.script_values",
    ]
