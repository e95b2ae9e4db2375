"""bot/ is the Rasa-free domain: importing all of it loads no Rasa module."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT


def test_bot_package_imports_without_rasa() -> None:
    modules = sorted(
        "bot." + p.stem for p in (PROJECT_ROOT / "bot").glob("*.py") if p.stem != "__main__"
    )
    code = (
        f"import sys, {', '.join(modules)}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk'))\n"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
