"""Reading and validating measured Hc2(T) points (CSV with a header).

A data set is a list of (T [K], B [T], optional standard error of B [T]).
Column names are matched case-insensitively against common spellings
(:data:`T_NAMES`, :data:`B_NAMES`, :data:`ERR_NAMES`) or given explicitly.
Every problem raises :class:`~isingsc.core.errors.DataFileError` with the file, the
line number and the allowed range, so the CLI prints one line: missing file,
empty file, no data rows, missing column, non-numeric or empty cell, T <= 0,
B < 0, error <= 0.  Lines starting with ``#`` are comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from isingsc.core.errors import DataFileError

T_NAMES = ("T", "T_K", "T [K]", "T (K)", "T/K", "temperature", "temperature_K", "Temp")
B_NAMES = ("B", "B_T", "B [T]", "B (T)", "B/T", "Bc2", "Bc2_T", "Bc2 (T)", "Hc2", "Hc2 (T)", "mu0Hc2",
           "mu0Hc2 (T)", "field", "B_c2")
ERR_NAMES = ("B_err", "Berr", "dB", "err", "error", "sigma", "sigma_B", "Bc2_err", "Hc2_err", "Hc2_error",
             "B_err_T")


@dataclass(frozen=True)
class Hc2Data:
    """Measured critical-field points: T (K), B (T), optional 1-sigma errors of B (T)."""

    T: np.ndarray
    B: np.ndarray
    B_err: np.ndarray | None = None
    source: str = "arrays"
    columns: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.T)

    @property
    def weighted(self) -> bool:
        return self.B_err is not None


def _where(source: str, line: int | None) -> str:
    return f"{source}, line {line}" if line is not None else source


#: Physical ranges of measured Hc2(T) data: temperatures (K) and fields (T).
T_MAX_K, B_MAX_T = 1000.0, 1000.0


def _validate(T, B, err, source: str, lines=None) -> Hc2Data:
    T = np.asarray(T, dtype=float).ravel()
    B = np.asarray(B, dtype=float).ravel()
    if len(T) == 0:
        raise DataFileError(f"{source}: no data points (need T [K] and B [T] rows)")
    if len(B) != len(T):
        raise DataFileError(f"{source}: T has {len(T)} values but B has {len(B)}")
    line = (lambda i: lines[i]) if lines is not None else (lambda i: None)  # noqa: E731
    for name, arr in (("T", T), ("B", B)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise DataFileError(f"{_where(source, line(bad[0]))}: {name} = {arr[bad[0]]} is not a finite number")
    bad = np.flatnonzero((T <= 0) | (T > T_MAX_K))
    if bad.size:
        raise DataFileError(f"{_where(source, line(bad[0]))}: T = {T[bad[0]]:g} K; allowed range 0 < T <= {T_MAX_K:g} K")
    bad = np.flatnonzero((B < 0) | (B > B_MAX_T))
    if bad.size:
        raise DataFileError(f"{_where(source, line(bad[0]))}: B = {B[bad[0]]:g} T; allowed range 0 <= B <= {B_MAX_T:g} T")
    if err is not None:
        err = np.asarray(err, dtype=float).ravel()
        if len(err) != len(T):
            raise DataFileError(f"{source}: B_err has {len(err)} values but T has {len(T)}")
        bad = np.flatnonzero(~np.isfinite(err) | (err <= 0) | (err > B_MAX_T))
        if bad.size:
            raise DataFileError(f"{_where(source, line(bad[0]))}: B_err = {err[bad[0]]:g} T; "
                                f"allowed range 0 < B_err <= {B_MAX_T:g} T")
    order = np.argsort(T, kind="stable")
    return Hc2Data(T=T[order], B=B[order], B_err=None if err is None else err[order], source=source)


def hc2_data(T, B, B_err=None, source: str = "arrays") -> Hc2Data:
    """Validated :class:`Hc2Data` from arrays (T in K, B and B_err in T), sorted by T."""
    return _validate(T, B, B_err, source)


def _key(name) -> str:
    """Column-name key: case-insensitive, spaces ignored ("T (K)" matches "t(k)")."""
    return "".join(str(name).split()).lower()


def _pick(columns, wanted, names, role: str, path, required: bool):
    lookup = {_key(c): c for c in columns}
    if wanted is not None:
        key = _key(wanted)
        if key not in lookup:
            raise DataFileError(f"{path}: no column {wanted!r} for {role}; columns are {', '.join(map(str, columns))}")
        return lookup[key]
    for n in names:
        if _key(n) in lookup:
            return lookup[_key(n)]
    if required:
        raise DataFileError(f"{path}: missing column for {role}: expected one of {', '.join(names)} "
                            f"(or name it with the column option); columns are {', '.join(map(str, columns))}")
    return None


def read_numeric_csv(path, columns, rows: str) -> tuple[dict, list[int], dict]:
    """The numeric columns of a measured-data CSV (header row, ``#`` comments), validated cell by cell.

    ``columns``: (role, requested column or None, recognised names, description, required) per column;
    a requested name ``"none"`` (or "") drops an optional column.  ``rows`` describes the expected rows
    for the empty-file message.  Returns ({role: values}, the file line of each row, {role: column}).
    Raises DataFileError (one line, with the file line) on any malformed input.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"no such data file: {path}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot be read as text ({exc})") from None
    if not text.strip():
        raise DataFileError(f"{path}: the file is empty (expected a header row and {rows} rows)")
    try:
        frame = pd.read_csv(path, dtype=str, comment="#", skipinitialspace=True, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(f"{path}: not a readable CSV ({' '.join(str(exc).split())})") from None
    if frame.shape[0] == 0:
        raise DataFileError(f"{path}: header only, no data rows")
    picked = {}
    for role, wanted, names, description, required in columns:
        if not required and wanted is not None and str(wanted).strip().lower() in ("", "none"):
            picked[role] = None  # explicitly dropped, even if such a column exists
        else:
            picked[role] = _pick(frame.columns, wanted, names, description, path, required or wanted is not None)
    # file line of each row: the header is the first non-comment line
    raw_lines = text.splitlines()
    data_lines = [i + 1 for i, ln in enumerate(raw_lines) if ln.strip() and not ln.lstrip().startswith("#")]
    lines = data_lines[1:1 + frame.shape[0]]
    values = {}
    for role, col in picked.items():
        if col is None:
            continue
        cells = frame[col].astype(str).str.strip()
        nums = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(nums))
        if bad.size:
            i = bad[0]
            cell = cells.iloc[i]
            if cell == "":
                what = "empty cell"
            elif cell.lower() in ("nan", "-nan", "+nan"):
                what = "NaN (remove or fill the point)"
            elif np.isinf(nums[i]):
                what = f"cell {cell!r} is not a finite number"
            else:
                what = f"non-numeric cell {cell!r}"
            raise DataFileError(f"{path}, line {lines[i]}: {what} in column {col!r} ({role}); "
                                f"allowed: a finite number")
        values[role] = nums
    return values, lines, picked


def read_hc2_csv(path, *, t_col: str | None = None, b_col: str | None = None,
                 err_col: str | None = None) -> Hc2Data:
    """Read a CSV of measured Hc2 points: header row, then T [K], B [T] and optionally err [T].

    ``t_col`` / ``b_col`` / ``err_col`` name the columns (case and spaces ignored); by default common
    spellings are recognised.  An error column is used if present (or named); ``err_col="none"``
    ignores it (unweighted fit).
    Raises DataFileError (one line, with the line number) on any malformed input.
    """
    values, lines, cols = read_numeric_csv(
        path, [("T", t_col, T_NAMES, "the temperature T [K]", True), ("B", b_col, B_NAMES, "the field B [T]", True),
               ("B_err", err_col, ERR_NAMES, "the error of B [T]", False)], "T [K], B [T]")
    tc, bc, ec = cols["T"], cols["B"], cols["B_err"]
    data = _validate(values["T"], values["B"], values.get("B_err"), str(path), lines)
    return Hc2Data(T=data.T, B=data.B, B_err=data.B_err, source=str(path),
                   columns={"T": tc, "B": bc, "B_err": ec or "none"})
