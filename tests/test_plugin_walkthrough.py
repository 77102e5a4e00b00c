"""docs/plugins.md walks through building examples/plugins/omnicart-clearance: every
file it shows is that package's file, word for word, so the walkthrough's code is the
code CI installs and tests (.ci/run, the examples step)."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "plugins" / "omnicart-clearance"
HEADING = "## From an empty folder to a passing test"
# A block naming its file on its first line: ```python\n# tests/conftest.py\n...```
FILE_BLOCK = re.compile(r"```\w+\n# (\S+)\n(.*?)```", flags=re.DOTALL)


def walkthrough() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(HEADING)
    return text[start : text.index("\n## ", start + len(HEADING))]


def test_every_file_of_the_walkthrough_is_the_example_packages_file() -> None:
    shown = dict(FILE_BLOCK.findall(walkthrough()))

    package = {
        str(path.relative_to(EXAMPLE)): path.read_text(encoding="utf-8")
        for path in EXAMPLE.rglob("*")
        if path.suffix in {".py", ".toml"} and "egg-info" not in str(path)
    }
    assert shown == package


def test_the_walkthrough_installs_and_runs_the_tests_as_ci_does() -> None:
    text = walkthrough()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    assert "pip install -e '.[test]'\npytest\n" in text
    assert "examples/plugins/" in ci and ".venv-examples" in ci
