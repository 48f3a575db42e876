"""The packaged, versioned table of Ising superconductors (``isingsc/data/materials.toml``).

Values are stored as the source prints them ("> 31.5", "~5", "2.40", "2-3") and
parsed here into intervals (:class:`Quantity`): a plain number stands for the
interval of its rounding (half a unit of its last digit), "~" for one unit of the
last digit, ">"/"<" for half-open bounds and "a-b" for a range.  Nothing is averaged:
sources that disagree are separate entries.

:func:`consistency_check` compares a quoted Bc2/Bp with Bc2 / (1.86 T/K x Tc) (the
review's own Pauli-limit convention, H_p = 1.86 T/K x Tc0) by interval arithmetic
over every Tc the entry gives (Tc, onset, zero resistance): an entry is
``inconsistent`` when no Tc reproduces the quoted ratio within the stated precision.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import xarray as xr

from isingsc.core.errors import DataFileError, ParameterError, check_range

#: The review's Pauli-limit slope (H_p = 1.86 T/K x Tc0), used by the consistency check.
REVIEW_PAULI_SLOPE = 1.86
NUMERIC_KEYS = ("tc_K", "tc_onset_K", "tc_zero_K", "bc2_T", "bc2_at_K", "bc2_over_bp", "bp_T", "soc_meV",
                "lambda_ep", "mu_star")
TEXT_KEYS = ("id", "material", "phase", "form", "thickness", "growth", "ising_type", "status", "soc_convention",
             "reference", "cited_as", "source", "quote", "notes")
REQUIRED = ("id", "material", "ising_type", "status", "reference", "source", "quote")
TC_KEYS = ("tc_K", "tc_zero_K", "tc_onset_K")

_NUM = r"[0-9]*\.?[0-9]+"


@dataclass(frozen=True)
class Quantity:
    """A quoted number as an interval [low, high]; ``kind`` says how it was quoted."""

    text: str
    kind: str  # value | approx | lower_bound | upper_bound | range | text
    low: float
    high: float
    nominal: float | None

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


def _unit_of_last_digit(s: str) -> float:
    return 10.0 ** -(len(s.split(".")[1])) if "." in s else 1.0


def parse_quantity(text: str) -> Quantity:
    """Parse a quoted value: "2.40", "~5", "> 31.5", "< 3", "2-3", or free text (non-numeric)."""
    s = str(text).strip()
    m = re.fullmatch(rf"(>=|<=|>|<|~)?\s*({_NUM})", s)
    if m:
        op, num = m.group(1), m.group(2)
        x = float(num)
        u = _unit_of_last_digit(num)
        if op in (">", ">="):
            return Quantity(s, "lower_bound", x, math.inf, x)
        if op in ("<", "<="):
            return Quantity(s, "upper_bound", 0.0, x, x)
        if op == "~":
            return Quantity(s, "approx", x - u, x + u, x)
        return Quantity(s, "value", x - u / 2, x + u / 2, x)
    m = re.fullmatch(rf"({_NUM})\s*-\s*({_NUM})", s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo > hi:
            raise DataFileError(f"materials table: range {s!r} has low > high")
        return Quantity(s, "range", lo, hi, 0.5 * (lo + hi))
    return Quantity(s, "text", math.nan, math.nan, None)


@lru_cache(maxsize=1)
def _raw_table() -> dict:
    import tomllib

    try:
        text = resources.files("isingsc").joinpath("data/materials.toml").read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"packaged materials table unreadable: {exc}") from None


def table_versions() -> dict:
    """Schema and data versions of the packaged table."""
    raw = _raw_table()
    return {"schema_version": raw.get("schema_version"), "data_version": raw.get("data_version")}


def sources() -> dict:
    """The source documents of the table (citation and file)."""
    return dict(_raw_table().get("sources", {}))


def load_materials() -> list[dict]:
    """All entries as dicts; numeric keys are replaced by :class:`Quantity` objects.

    Raises DataFileError if an entry lacks a required key, repeats an id, has an unknown key
    or a numeric key with an unparsable value.
    """
    raw = _raw_table()
    entries, seen = [], set()
    for i, e in enumerate(raw.get("entry", [])):
        missing = [k for k in REQUIRED if not e.get(k)]
        if missing:
            raise DataFileError(f"materials table entry {i}: missing {', '.join(missing)}")
        unknown = set(e) - set(NUMERIC_KEYS) - set(TEXT_KEYS)
        if unknown:
            raise DataFileError(f"materials table entry {e['id']}: unknown keys {sorted(unknown)}")
        if e["id"] in seen:
            raise DataFileError(f"materials table: duplicate id {e['id']}")
        seen.add(e["id"])
        out = {k: str(v) for k, v in e.items() if k in TEXT_KEYS}
        for k in NUMERIC_KEYS:
            if k in e:
                q = parse_quantity(e[k])
                if not q.numeric and k != "bc2_over_bp":
                    raise DataFileError(f"materials table entry {e['id']}: {k} = {e[k]!r} is not a number")
                out[k] = q
        entries.append(out)
    return entries


def select(entries: list[dict], material: str | None = None) -> list[dict]:
    """Entries whose material or id contains ``material`` (case-insensitive); all if None."""
    if not material:
        return entries
    key = material.lower()
    chosen = [e for e in entries if key in e["material"].lower() or key in e["id"].lower()]
    if not chosen:
        raise ParameterError("material", material, "a substring of a material name or id: " +
                             ", ".join(sorted({e['material'] for e in entries})))
    return chosen


def consistency_check(entries: list[dict] | None = None, slope_t_per_k: float = REVIEW_PAULI_SLOPE) -> list[dict]:
    """Compare each quoted Bc2/Bp with Bc2 / (slope x Tc) by interval arithmetic.

    Returns one dict per entry: ``status`` = consistent | inconsistent | not checkable, the
    implied interval for each Tc given, and a human-readable ``detail``.
    """
    slope = check_range("slope", slope_t_per_k, lo=0.0, lo_open=True)
    entries = load_materials() if entries is None else entries
    report = []
    for e in entries:
        ratio, bc2 = e.get("bc2_over_bp"), e.get("bc2_T")
        tcs = {k: e[k] for k in TC_KEYS if k in e}
        row = {"id": e["id"], "material": e["material"], "implied": {}}
        if ratio is None or not ratio.numeric or bc2 is None or not tcs:
            need = [n for n, ok in (("Bc2", bc2 is not None), ("numeric Bc2/Bp", ratio is not None and ratio.numeric),
                                    ("Tc", bool(tcs))) if not ok]
            row.update(status="not checkable", detail="needs " + ", ".join(need))
            report.append(row)
            continue
        agree = []
        parts = []
        for k, tc in tcs.items():
            lo = bc2.low / (slope * tc.high) if tc.high > 0 else math.inf
            hi = bc2.high / (slope * tc.low) if tc.low > 0 else math.inf
            row["implied"][k] = [lo, hi]
            ok = lo <= ratio.high and hi >= ratio.low
            agree.append(ok)
            parts.append(f"{k} {tc.text} K -> [{lo:.3g}, {hi:.3g}]")
        status = "consistent" if any(agree) else "inconsistent"
        row.update(status=status, quoted=[ratio.low, ratio.high],
                   detail=f"quoted Bc2/Bp {ratio.text} = [{ratio.low:.3g}, {ratio.high:.3g}] vs Bc2/({slope:g} T/K x Tc): "
                          + "; ".join(parts))
        report.append(row)
    return report


def _fmt(q: Quantity | None, unit: str = "") -> str:
    if q is None:
        return "-"
    return q.text + (f" {unit}" if unit and q.numeric else "")


def table_rows(entries: list[dict] | None = None) -> list[dict]:
    """Rows for printing / JSON: text values plus the consistency status."""
    entries = load_materials() if entries is None else entries
    checks = {r["id"]: r for r in consistency_check(entries)}
    rows = []
    for e in entries:
        tc_parts = [f"{lab}{e[k].text}" for k, lab in (("tc_K", ""), ("tc_onset_K", "onset "), ("tc_zero_K", "zero "))
                    if k in e]
        rows.append({
            "id": e["id"], "material": e["material"] + (f" ({e['phase']})" if e.get("phase") else ""),
            "form": e.get("form", ""), "growth": e.get("growth", ""), "ising_type": e["ising_type"],
            "status": e["status"], "Tc_K": ", ".join(tc_parts) or "-", "Bc2_T": _fmt(e.get("bc2_T")),
            "Bc2_at_K": _fmt(e.get("bc2_at_K")), "Bc2_over_Bp": _fmt(e.get("bc2_over_bp")), "Bp_T": _fmt(e.get("bp_T")),
            "SOC_meV": _fmt(e.get("soc_meV")), "soc_convention": e.get("soc_convention", ""),
            "lambda_ep": _fmt(e.get("lambda_ep")), "mu_star": _fmt(e.get("mu_star")),
            "reference": e["reference"], "cited_as": e.get("cited_as", ""), "source": e["source"],
            "quote": e["quote"], "notes": e.get("notes", ""), "check": checks[e["id"]]["status"],
            "check_detail": checks[e["id"]]["detail"],
        })
    return rows


def format_table(rows: list[dict]) -> str:
    """Fixed-width text table (units in the header)."""
    cols = [("id", "id"), ("material", "material"), ("ising_type", "type"), ("Tc_K", "Tc (K)"),
            ("Bc2_T", "Bc2 (T)"), ("Bc2_over_Bp", "Bc2/Bp"), ("SOC_meV", "SOC (meV)"), ("check", "check"),
            ("cited_as", "ref")]
    cut = {"ising_type": 28, "material": 30}
    cells = [[str(r[k])[: cut.get(k, 200)] for k, _ in cols] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h) in enumerate(cols)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line([h for _, h in cols]), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)


def materials_dataset(entries: list[dict] | None = None) -> xr.Dataset:
    """The table as a Dataset (dim ``entry``): text columns plus low/high bounds of every number.

    NaN in a ``*_low``/``*_high`` variable means "not given by the source" (stated in its attrs).
    """
    from isingsc.experiment.results import finalize_lab

    entries = load_materials() if entries is None else entries
    data = {}
    for k in TEXT_KEYS:
        if k == "id":
            continue
        data[k] = ("entry", np.array([e.get(k, "") for e in entries], dtype=str))
    for k in NUMERIC_KEYS:
        qs = [e.get(k) for e in entries]
        unit = k.rsplit("_", 1)[-1] if k.endswith(("_K", "_T")) else ("meV" if k.endswith("meV") else "1")
        for side in ("low", "high"):
            vals = [getattr(q, side) if q is not None and q.numeric else math.nan for q in qs]
            data[f"{k}_{side}"] = ("entry", np.array(vals, dtype=float),
                                   {"units": unit, "missing": "NaN = not given by the source",
                                    "note": "interval implied by the quoted value (rounding / bound)"})
        data[f"{k}_quoted"] = ("entry", np.array([q.text if q is not None else "" for q in qs], dtype=str))
    checks = consistency_check(entries)
    data["check"] = ("entry", np.array([c["status"] for c in checks], dtype=str))
    ds = xr.Dataset(data, coords={"entry": ("entry", np.array([e["id"] for e in entries], dtype=str))})
    return finalize_lab(ds, kind="materials_table", **table_versions(),
                        pauli_slope_for_check_T_per_K=REVIEW_PAULI_SLOPE)
