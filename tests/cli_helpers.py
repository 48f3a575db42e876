"""Running the CLI in-process from tests."""

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
