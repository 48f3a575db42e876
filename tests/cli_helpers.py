"""Running the CLI in-process from tests."""

import types

from isingsc.cli import main


def run_cli(capsys, *args):
    """``isingsc ARGS`` in this process: (exit status, stdout, stderr)."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def run(capsys, *args, check: bool = False):
    """``isingsc ARGS`` in this process as an object with ``returncode``, ``stdout`` and ``stderr``;
    ``check``: assert the exit status is 0."""
    code, out, err = run_cli(capsys, *args)
    if check:
        assert code == 0, err
    return types.SimpleNamespace(returncode=code, stdout=out, stderr=err)
