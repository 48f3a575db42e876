"""MkDocs hook: render a command's options from the CLI itself.

A page containing the line ``<!-- isingsc-options: NAME -->`` gets, in its place, a table of the
options of ``isingsc NAME`` (flags, type, default, help) read from the typer application, so the
command pages cannot drift from ``--help``.  NAME is a command (``hc2``) or a command of a group
followed by its subcommand (``spectrum bulk``).  An unknown command, or a group named without a
subcommand (a group has no options of its own), is an error: the build fails.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^<!-- isingsc-options: ([a-z0-9-]+(?: [a-z0-9-]+)*) -->$", re.M)


def _command(name: str):
    """The click command of ``isingsc NAME`` (NAME: words separated by single spaces)."""
    import typer

    from isingsc.cli import app

    cmd = typer.main.get_command(app)
    path = []
    for word in name.split():
        commands = getattr(cmd, "commands", None)
        if commands is None or word not in commands:
            where = " ".join(["isingsc", *path])
            raise KeyError(f"`{where}` has no command {word!r} (docs marker 'isingsc-options: {name}')")
        cmd = commands[word]
        path.append(word)
    if getattr(cmd, "commands", None) is not None:  # a group (typer vendors click: no isinstance check)
        raise KeyError(f"`isingsc {name}` is a command group: name one of its subcommands "
                       f"({', '.join(sorted(cmd.commands))}) in the docs marker 'isingsc-options: {name} ...'")
    return cmd


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ").strip()


def _type(param, cmd) -> str:
    """The type as --help shows it (e.g. float, path, list[str])."""
    import typer

    try:
        return str(param.display_type(typer.Context(cmd))).strip("<>")
    except Exception:  # another typer version: fall back to the annotation
        ann = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        return getattr(ann, "__name__", str(ann or ""))


def _default(param) -> str:
    if getattr(param, "is_flag", False) and not param.secondary_opts:
        return "off" if not param.default else "on"
    if param.secondary_opts:
        return param.opts[0] if param.default else param.secondary_opts[0]
    if param.default is None:
        return "—"
    return f"`{param.default}`"


def options_table(name: str) -> str:
    cmd = _command(name)
    rows = ["| option | type | default | meaning |", "|---|---|---|---|"]
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "argument":
            rows.append(f"| `{param.name.upper()}` (argument) | {_type(param, cmd)} | required | "
                        f"{_cell(getattr(param, 'help', '') or '')} |")
            continue
        flags = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        rows.append(f"| {flags} | {_type(param, cmd)} | {_cell(_default(param))} | {_cell(param.help or '')} |")
    rows.append("| `--help` | | | print the help, with units and defaults, and exit |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    return MARKER.sub(lambda m: options_table(m.group(1)), markdown)
