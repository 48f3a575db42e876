"""Imported first by the fork server of local sweep workers
(:func:`~isingsc.workflows.sweep.runner.start_worker_server`).

The server holds the standard output and error of the process that started it (its workers write their messages
there), and it exits only when that process has ended.  A pipe reading the command's output (``isingsc sweep ... |
tee log``, a benchmark capturing it) therefore stays open until the server has exited; a normal interpreter exit
would first unload SciPy, Numba and Dask there (0.4 s).  The server leaves at once instead: it has nothing to
flush or save, and the processes forked from it end with ``os._exit`` anyway.  Only the server is marked
(``ISINGSC_FORK_SERVER`` in its environment holds the process id of the process that started it, its parent;
the entry is removed here so that the workers do not inherit it): anywhere else importing this module does
nothing.
"""

from __future__ import annotations

import atexit
import os

SERVER_MARK = "ISINGSC_FORK_SERVER"

if os.environ.pop(SERVER_MARK, None) == str(os.getppid()):
    atexit.register(os._exit, 0)
