"""The README's commands and configuration table stay true."""

import re
from dataclasses import fields
from pathlib import Path

from core.config import Settings

README = Path(__file__).parents[1] / "README.md"
CI_SCRIPT = Path(__file__).parents[1] / ".ci" / "run"
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
DEMO_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/omnicart serve --demo"
)


def test_the_environment_table_lists_every_setting() -> None:
    text = README.read_text(encoding="utf-8")

    listed = set(re.findall(r"^\| `(OMNICART_[A-Z_]+)`", text, flags=re.MULTILINE))

    expected = {f"OMNICART_{field.name.upper()}" for field in fields(Settings)}
    assert listed == expected | {"OMNICART_TEST_DATABASE_URL"}


def test_the_readme_has_the_demo_and_test_commands() -> None:
    text = README.read_text(encoding="utf-8")

    assert DEMO_COMMAND in text
    assert TEST_COMMAND in text


def test_ci_installs_the_project_as_the_readme_says() -> None:
    script = CI_SCRIPT.read_text(encoding="utf-8")

    assert ".venv/bin/pip install -e '.[test]'" in script
    assert "python3 -m venv .venv" in script
