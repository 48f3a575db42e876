"""Importing a module ahead of its use, in a background thread."""

from __future__ import annotations

import importlib
import threading


def import_in_background(name: str) -> threading.Thread:
    """Start importing the module ``name`` in a background thread; returns the thread.

    For a command that will need a heavy module only at its end (matplotlib, 0.3 s, for the plot of a sweep)
    while it mostly waits for other processes: the import then runs in that wait instead of after it.  Python's
    per-module import locks make the later ``import`` of the same module wait for this one or find it done.  An
    import error is left for that later import to raise.  The thread is not a daemon: the interpreter lets a
    started import finish before it exits."""
    def run():
        try:
            importlib.import_module(name)
        except Exception:  # raised again, with its traceback, where the module is really imported
            pass

    thread = threading.Thread(target=run, name=f"isingsc-import-{name}")
    thread.start()
    return thread


__all__ = ["import_in_background"]
