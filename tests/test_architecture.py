"""The layering rules, read from the source with `ast` (no module is imported to check them).

- `bot/` is plain Python: no Rasa, and nothing from the adapters (`actions`, `rasa_ext`,
  `web`) or from the scripts and tests.
- `actions/` adapts Rasa's SDK to `bot/`; it knows nothing of the web app.
- `web/` talks to Rasa over HTTP only: no action or Rasa-component code.
- `bot.kb` is the core the other features build on, so it imports none of them.
- `bot.safety` is self-contained: a warning sign must be recognised even if every other
  feature is broken, so it uses only the shared text rules and errors.
- No module edits `sys.path`: the project is installed (editable), imports just work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

CODE_DIRS = ("bot", "actions", "rasa_ext", "web", "scripts")


@dataclass(frozen=True)
class Rule:
    """Modules under `folder` must not import any of `forbidden` (or their submodules)."""

    folder: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule("bot", ("rasa", "rasa_sdk", "actions", "rasa_ext", "web", "scripts", "tests"),
         "bot/ is the Rasa-free domain, testable on its own"),
    Rule("actions", ("web",), "actions/ adapts Rasa's SDK; the web app is another adapter"),
    Rule("web", ("actions", "rasa_ext", "rasa", "rasa_sdk"),
         "the web app reaches Rasa over HTTP only"),
    Rule("bot/kb", ("bot.staff", "bot.trials", "bot.training", "bot.cli"),
         "the knowledge base is the core the other features build on"),
    Rule("bot/safety", ("bot.kb", "bot.trials", "bot.staff", "bot.training", "bot.cli"),
         "the safety nets must work whatever else is broken"),
    Rule("bot/nlu", ("bot.staff", "bot.trials", "bot.training", "bot.cli", "bot.safety"),
         "understanding reads only the topic catalogue"),
)  # fmt: skip


def module_name(path: Path, root: Path) -> str:
    """`bot/kb/store.py` -> `bot.kb.store`; a package's `__init__.py` -> the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in `path`, relative imports made absolute."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package = module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # `from bot import staff` imports bot.staff: count each name as a possible module.
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _is_within(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


def violations(rule: Rule, root: Path) -> list[str]:
    """`file:line imports module` for every import under `rule.folder` that it forbids."""
    found = []
    for path in sorted((root / rule.folder).rglob("*.py")):
        for line, module in imported_modules(path, root):
            if any(_is_within(module, name) for name in rule.forbidden):
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return sorted(set(found))


def sys_path_edits(root: Path) -> list[str]:
    """`file:line` wherever code outside tests reads or changes `sys.path`."""
    found = []
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_bytes())):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "path"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "sys"
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.folder)
def test_layering_rule_holds(rule: Rule) -> None:
    assert violations(rule, PROJECT_ROOT) == [], rule.why


def test_no_module_edits_sys_path() -> None:
    assert sys_path_edits(PROJECT_ROOT) == []


def test_makefile_sets_no_pythonpath() -> None:
    assert "PYTHONPATH" not in (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")


# The checker itself: each rule must catch the ways a forbidden import can be written.
@pytest.mark.parametrize(
    ("path", "source", "caught"),
    [
        ("bot/kb/bad.py", "import rasa_sdk.events\n", "rasa_sdk.events"),
        ("bot/kb/bad.py", "from bot.staff.roles import Actor\n", "bot.staff.roles"),
        ("bot/kb/bad.py", "from bot import trials\n", "bot.trials"),
        ("bot/kb/bad.py", "from ..training import runs\n", "bot.training"),
        ("bot/kb/bad.py", "def f():\n    import web.app\n", "web.app"),
        ("bot/safety/bad.py", "from bot.kb.store import ArticleStore\n", "bot.kb.store"),
        ("bot/safety/bad.py", "importlib.import_module('bot.trials.search')\n", "bot.trials"),
        ("web/bad.py", "from actions.answers import ActionAnswer\n", "actions.answers"),
        ("actions/bad.py", "import web\n", "web"),
    ],
)
def test_checker_catches_forbidden_import(
    tmp_path: Path, path: str, source: str, caught: str
) -> None:
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(source, encoding="utf-8")
    found = [v for rule in RULES for v in violations(rule, tmp_path)]
    assert found and all(path in v for v in found)
    assert any(caught in v for v in found), found


def test_checker_allows_shared_modules(tmp_path: Path) -> None:
    source = "from bot.text import clean_message\nfrom bot.errors import Refused\nimport yaml\n"
    (tmp_path / "bot" / "safety").mkdir(parents=True)
    (tmp_path / "bot" / "safety" / "ok.py").write_text(source, encoding="utf-8")
    assert [v for rule in RULES for v in violations(rule, tmp_path)] == []
