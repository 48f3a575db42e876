"""The documentation: it builds without a warning, and every command is documented.

* ``mkdocs build --strict`` (into a temporary folder): broken links or anchors, pages missing
  from the navigation, navigation entries without a page, and docstring problems of the API
  reference all fail it.
* Every command of the ``isingsc`` CLI has its page ``docs/commands/NAME.md``, listed in the
  navigation, carrying the options table generated from the CLI.
* ``isingsc --help`` and every ``isingsc NAME --help`` say what the units are and what the
  defaults are: a unit appears in the text, every option with a default shows it (or its help
  says what happens without it), and the text mentions defaults at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: What counts as naming a unit in a help text.
UNITS = re.compile(r"\|t\||\bk_?B\b|\bK\b|\bmeV\b|\btesla\b|\bkelvin\b|\(T\)|\bT/K\b|1/a\b|\bunits?\b", re.I)


def _commands() -> dict:
    from isingsc.cli import app

    return typer.main.get_command(app).commands


def _nav_pages() -> set[str]:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())

    def walk(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)

    return set(walk(config["nav"]))


def test_mkdocs_build_strict(tmp_path):
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                          str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert run.returncode == 0, "\n".join(warnings) or run.stderr[-3000:]
    assert (tmp_path / "site" / "commands" / "reproduce" / "index.html").is_file()
    # the options tables are generated from the CLI when the site is built
    html = (tmp_path / "site" / "commands" / "reproduce" / "index.html").read_text()
    assert "--force" in html and "--cache-dir" in html


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_a_page(name):
    page = DOCS / "commands" / f"{name}.md"
    assert page.is_file(), f"no docs page {page.relative_to(ROOT)} for `isingsc {name}`"
    text = page.read_text()
    assert f"<!-- isingsc-options: {name} -->" in text, "the page lacks the generated options table"
    assert f"commands/{name}.md" in _nav_pages(), f"docs/commands/{name}.md is not in the mkdocs.yml nav"


def _help(args) -> str:
    from isingsc.cli import app

    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "250", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def test_top_level_help_names_units():
    text = _help([])
    assert UNITS.search(text) and "|t|" in text
    for name in _commands():
        assert name in text


@pytest.mark.parametrize("name", sorted(_commands()))
def test_command_help_names_units_and_defaults(name):
    text = _help([name])
    assert UNITS.search(text), f"`isingsc {name} --help` names no unit"
    assert "default" in text.lower(), f"`isingsc {name} --help` says nothing about defaults"
    command = _commands()[name]
    for param in command.params:
        if getattr(param, "param_type_name", "") != "option" or param.default in (None, False) or param.required:
            continue
        shown = param.show_default or "default" in (param.help or "").lower()
        assert shown, f"`isingsc {name} {param.opts[0]}` hides its default {param.default!r}"
