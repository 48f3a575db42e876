"""The documentation: it builds without a warning, every command is documented, and what it shows exists.

* ``mkdocs build --strict`` (into a temporary folder): broken links or anchors, pages missing
  from the navigation, navigation entries without a page, ``:::`` directives naming modules or
  objects that do not exist, and docstring problems of the API reference all fail it.
* Every command of the ``isingsc`` CLI -- and every subcommand of a command group such as
  ``isingsc spectrum bulk`` -- has its page ``docs/commands/NAME.md`` (a group's subcommands share
  the group's page), listed in the navigation, carrying the options table generated from the CLI
  (``<!-- isingsc-options: NAME [SUBCOMMAND] -->``); every such marker names a command that exists.
* ``isingsc --help`` and every ``isingsc NAME [SUBCOMMAND] --help`` say what the units are and what
  the defaults are: a unit appears in the text, every option with a default shows it (or its help
  says what happens without it), and the text mentions defaults at all; a group's help lists its
  subcommands.
* What the pages and the README show exists: every command line in them (code blocks and inline
  code starting with ``isingsc``) names existing commands and options, every ``import`` of a Python
  example resolves, and every dotted name ``isingsc.x.y`` in the text is a module or an object.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: Markdown the checks of what the text shows apply to: the pages and the README.
PAGES = sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]
#: What counts as naming a unit in a help text.
UNITS = re.compile(r"\|t\||\bk_?B\b|\bK\b|\bmeV\b|\btesla\b|\bkelvin\b|\(T\)|\bT/K\b|1/a\b|\bunits?\b", re.I)
MARKER = re.compile(r"^<!-- isingsc-options: (.*?) -->$", re.M)


@functools.lru_cache(maxsize=1)
def _top():
    from isingsc.cli import app

    return typer.main.get_command(app)


def _subcommands(cmd) -> dict:
    """The subcommands of a command group (typer vendors click: a group is what has ``commands``)."""
    return getattr(cmd, "commands", None) or {}


@functools.lru_cache(maxsize=1)
def _tree() -> dict[tuple[str, ...], object]:
    """Every command and command group below ``isingsc``, by its path of names."""
    out = {}

    def walk(path, cmd):
        for name, sub in _subcommands(cmd).items():
            out[(*path, name)] = sub
            walk((*path, name), sub)

    walk((), _top())
    return out


def _leaves() -> list[tuple[str, ...]]:
    """Paths of the runnable commands (``("tc",)``, ``("spectrum", "bulk")``, ...)."""
    return sorted(p for p, cmd in _tree().items() if not _subcommands(cmd))


def _groups() -> list[tuple[str, ...]]:
    return sorted(p for p, cmd in _tree().items() if _subcommands(cmd))


def _ids(paths) -> list[str]:
    return [" ".join(p) for p in paths]


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


def _hook():
    spec = importlib.util.spec_from_file_location("isingsc_docs_hook", DOCS / "_hooks" / "cli_options.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ the site builds
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
    # ... for the subcommands of a group too, each with its own options
    html = (tmp_path / "site" / "commands" / "spectrum" / "index.html").read_text()
    assert "--h-max" in html and "--n-ky-modes" in html


# ------------------------------------------------------------------ every command has its page
def test_the_cli_has_commands_and_subcommands():
    assert len(_leaves()) > 10 and ("spectrum", "bulk") in _leaves() and ("spectrum", "edge") in _leaves()
    assert ("spectrum",) in _groups() and ("spectrum",) not in _leaves()


@pytest.mark.parametrize("path", _leaves(), ids=_ids(_leaves()))
def test_every_command_has_a_page(path):
    page = DOCS / "commands" / f"{path[0]}.md"
    name = " ".join(path)
    assert page.is_file(), f"no docs page {page.relative_to(ROOT)} for `isingsc {name}`"
    text = page.read_text()
    assert f"<!-- isingsc-options: {name} -->" in text, f"{page.name} lacks the generated options table of `{name}`"
    assert f"commands/{path[0]}.md" in _nav_pages(), f"docs/commands/{path[0]}.md is not in the mkdocs.yml nav"
    if len(path) > 1:
        assert f"isingsc {name}" in text, f"{page.name} does not describe `isingsc {name}`"


@pytest.mark.parametrize("path", _groups(), ids=_ids(_groups()))
def test_every_group_page_documents_each_subcommand(path):
    page = DOCS / "commands" / f"{path[0]}.md"
    assert page.is_file() and f"commands/{path[0]}.md" in _nav_pages()
    text = page.read_text()
    for sub in _subcommands(_tree()[path]):
        assert f"<!-- isingsc-options: {' '.join((*path, sub))} -->" in text


def test_every_options_marker_names_a_command():
    """A marker naming an unknown command, or a group without its subcommand, would fail the build."""
    hook = _hook()
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for name in MARKER.findall(page.read_text()):
            found.append(name)
            assert hook.MARKER.fullmatch(f"<!-- isingsc-options: {name} -->"), f"{page.name}: malformed marker {name!r}"
            table = hook.options_table(name)
            assert table.startswith("| option |") and "--help" in table
    assert sorted(found) == sorted(_ids(_leaves())), "one options table per command, and only those"
    with pytest.raises(KeyError, match="group"):
        hook.options_table("spectrum")
    with pytest.raises(KeyError, match="no command"):
        hook.options_table("spectrum nope")


# ------------------------------------------------------------------ help names units and defaults
def _help(args) -> str:
    from isingsc.cli import app

    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "250", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def test_top_level_help_names_units():
    text = _help([])
    assert UNITS.search(text) and "|t|" in text
    for name in _subcommands(_top()):
        assert name in text


@pytest.mark.parametrize("path", _groups(), ids=_ids(_groups()))
def test_group_help_lists_its_subcommands(path):
    text = _help(list(path))
    for sub in _subcommands(_tree()[path]):
        assert re.search(rf"^\W*{re.escape(sub)}\s", text, re.M), f"`isingsc {' '.join(path)} --help` omits {sub}"


@pytest.mark.parametrize("path", _leaves(), ids=_ids(_leaves()))
def test_command_help_names_units_and_defaults(path):
    name = " ".join(path)
    text = _help(list(path))
    assert UNITS.search(text), f"`isingsc {name} --help` names no unit"
    assert "default" in text.lower(), f"`isingsc {name} --help` says nothing about defaults"
    command = _tree()[path]
    for param in command.params:
        if getattr(param, "param_type_name", "") != "option" or param.default in (None, False) or param.required:
            continue
        shown = param.show_default or "default" in (param.help or "").lower()
        assert shown, f"`isingsc {name} {param.opts[0]}` hides its default {param.default!r}"


# ------------------------------------------------------------------ what the pages show exists
FENCE = re.compile(r"^```([A-Za-z]*)[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`((?:\.venv/bin/)?isingsc [^`]+)`")
DOTTED = re.compile(r"(?<![\w./-])isingsc(?:\.[A-Za-z_]\w*)+")


def _blocks(text: str, languages) -> list[str]:
    return [body for lang, body in FENCE.findall(text) if lang.lower() in languages]


def _command_lines(text: str) -> list[str]:
    """Command lines of ``isingsc`` in shell code blocks (with indented continuation lines) and inline code."""
    lines = []
    for body in _blocks(text, ("", "bash", "sh", "shell", "console")):
        current = None
        for raw in body.splitlines():
            line = raw.rstrip()
            stripped = line.lstrip().removeprefix("$ ")
            if current is not None and (line[:1].isspace() or current.endswith("\\")):
                current = current.rstrip("\\") + " " + stripped
                continue
            if current is not None:
                lines.append(current)
                current = None
            if re.match(r"(?:\.venv/bin/)?isingsc\s", stripped):
                current = stripped
        if current is not None:
            lines.append(current)
    outside = FENCE.sub("", text)
    lines += INLINE.findall(outside)
    return lines


def _options(cmd) -> set[str]:
    return {o for p in cmd.params for o in [*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ())]}


def _check_command_line(line: str) -> str | None:
    """None if the command and every option of ``line`` exist, else what is wrong."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return f"cannot split {line!r}"
    tokens = tokens[1:]
    top = _top()
    global_options = _options(top) | {"--help", "-vv", "-vvv"}
    while tokens and tokens[0].startswith("-"):  # global options and their values
        flag = tokens.pop(0)
        if flag not in global_options:
            return f"unknown global option {flag}"
        if flag == "--backend" and tokens:
            tokens.pop(0)
    if not tokens or not re.fullmatch(r"[a-z][a-z0-9-]*", tokens[0]):
        return None  # `isingsc --help`, `isingsc COMMAND --help`, `isingsc <command> ...`: nothing to check
    cmd, path = top, []
    while _subcommands(cmd):
        if not tokens or tokens[0].startswith("-"):
            return None if not tokens or tokens[0] == "--help" else f"`isingsc {' '.join(path)}` needs a subcommand"
        word = tokens.pop(0)
        if word not in _subcommands(cmd):
            return f"`isingsc {' '.join(path)}` has no command {word!r}"
        cmd, path = _subcommands(cmd)[word], [*path, word]
    allowed = _options(cmd) | {"--help"}
    for token in tokens:
        flag = token.strip("[]()|,;").split("=")[0].rstrip(".…")
        if re.fullmatch(r"--[a-z][a-z0-9-]*|-[A-Za-z]", flag) and flag not in allowed:
            return f"`isingsc {' '.join(path)}` has no option {flag}"
    return None


def test_command_lines_in_the_docs_exist():
    problems, count = [], 0
    for page in PAGES:
        for line in _command_lines(page.read_text()):
            count += 1
            problem = _check_command_line(line)
            if problem:
                problems.append(f"{page.relative_to(ROOT)}: {line!r}: {problem}")
    assert count > 50, f"found only {count} command lines: is the scan broken?"
    assert not problems, "\n".join(problems)


def test_the_command_line_check_finds_old_options():
    assert _check_command_line("isingsc dos --vx 0.1") is not None
    assert _check_command_line("isingsc spectrum --mode edge") is not None
    assert _check_command_line("isingsc spectrum edge --field 0.2  # the zero-bias peak") is None
    assert _check_command_line("isingsc nosuch --out x") is not None
    assert _check_command_line(".venv/bin/isingsc -v --backend cpu hc2 --model intrinsic") is None


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_python_examples_import_what_exists():
    problems, count = [], 0
    for page in PAGES:
        for body in _blocks(page.read_text(), ("python", "py")):
            count += 1
            try:
                tree = ast.parse(body)
            except SyntaxError as exc:
                problems.append(f"{page.relative_to(ROOT)}: a python block does not parse: {exc}")
                continue
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [f"{node.module}.{a.name}" for a in node.names]
                for name in names:
                    if name.split(".")[0] == "isingsc" and not _resolves(name):
                        problems.append(f"{page.relative_to(ROOT)}: imports {name}, which does not exist")
    assert count > 5, f"found only {count} python blocks: is the scan broken?"
    assert not problems, "\n".join(problems)


def test_dotted_names_in_the_docs_exist():
    problems = []
    for page in PAGES:
        for name in sorted(set(DOTTED.findall(page.read_text()))):
            if not _resolves(name):
                problems.append(f"{page.relative_to(ROOT)}: {name}")
    assert not problems, "names of modules or objects that do not exist:\n" + "\n".join(problems)


def test_the_name_check_finds_old_modules():
    assert _resolves("isingsc.meanfield.solver.MeanField") and _resolves("isingsc.Field.in_plane")
    assert not _resolves("isingsc.meanfield.phase_diagram") and not _resolves("isingsc.registry")
