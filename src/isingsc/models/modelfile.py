"""User-defined lattice models from a TOML file (schema version 1; documented in docs/model-files.md).

A model file describes a :class:`~isingsc.models.base.TightBindingModel`: the lattice, the
spinful orbitals and their Zeeman couplings (field couplings), hoppings, spin-orbit terms,
the pairing orbitals and the normalisation (reference) model.  Numbers may be written as
expressions of the ``[parameters]``, so that one file describes a family of models::

    [model]
    name = "my-ising"
    description = "single-band Ising superconductor with pockets around K"
    delta0 = 0.03                        # suggested zero-field gap (|t|)

    [parameters]
    t = -1.0
    mu = 2.5
    beta = 0.033

    [[orbitals]]
    name = "d"
    zeeman = 1.0                         # factor of V.sigma on this orbital (default 1)

    [[hoppings]]                         # on-site: -mu sigma_0
    offset = [0, 0]
    value = "-mu"

    [[hoppings]]                         # the three nearest-neighbour bonds: 2 t C(k)
    shell = 1
    value = "t"

    [[soc]]                              # 2 beta S(k) sigma_z
    type = "ising"
    beta = "beta"

    [pairing]
    orbitals = ["d"]
    # channel = "p+ip"                   # optional: a pairing channel on the bonds (default on-site "s")
    # spin = "triplet-up"                # optional: its spin structure (default by parity)
    # momentum = "2K"                    # optional: pair momentum Q ("0", "2K", "2K'", "K", "K'", [qx, qy])

Every problem raises :class:`~isingsc.core.errors.DataFileError` with one line naming the file and
the key (``hoppings[2].value``), e.g. unknown keys, wrong types, wrong matrix shapes, unknown
orbitals or parameters, and non-Hermitian hoppings (on-site block not Hermitian, or bonds R and
-R given with T_-R != T_R^dagger).  Energies in units of |t|; offsets in primitive vectors
a1 = (1, 0), a2 = (1/2, sqrt3/2) of the triangular lattice (a = 1).
"""

from __future__ import annotations

import ast
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from isingsc.core.errors import DataFileError, ParameterError
from isingsc.models.base import PAULI, TightBindingModel
from isingsc.models.channels import CHANNELS, SPIN_STRUCTURES, PairingChannel
from isingsc.models.channels import pair_momentum as named_pair_momentum
from isingsc.models.families import terms

SCHEMA_VERSION = 1

TOP_KEYS = ("schema", "model", "lattice", "parameters", "orbitals", "hoppings", "soc", "pairing", "normalisation")
MODEL_KEYS = ("name", "description", "reference", "delta0")
LATTICE_KEYS = ("type",)
ORBITAL_KEYS = ("name", "zeeman")
HOPPING_KEYS = ("offset", "shell", "to", "from", "spin", "value", "matrix")
PAIRING_KEYS = ("orbitals", "scale", "channel", "spin", "momentum")
#: Named pair momenta of ``[pairing] momentum`` (the triangular lattice's Gamma, 2K, 2K', K, K').
PAIR_MOMENTA = ("0", "2K", "2K'", "K", "K'")
NORMALISATION_KEYS = ("reference_orbitals",)
#: SOC terms: type -> (required strength keys, what it is).
SOC_TYPES = {
    "ising": (("beta",), "2 beta S(k) sigma_z (nearest-neighbour bonds, paper Eq. 1)"),
    "rashba": (("alpha",), "alpha (s(k) x z).sigma, s(k) = sum_i sin(k.R_i) R^_i"),
    "inplane": (("alpha_x", "alpha_y"), "alpha_x s_y(k) sigma_x - alpha_y s_x(k) sigma_y"),
    "line-ising": (("lambda_z",), "lambda_z s_y(k) sigma_z"),
    "atomic-p": (("beta",), "beta tau_y sigma_z on the doublet orbitals = [p_x, p_y] (beta L_z sigma_z)"),
}
SPINS = {"s0": 0, "sx": 1, "sy": 2, "sz": 3}
FUNCTIONS = {"sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
             "abs": abs}
CONSTANTS = {"pi": math.pi}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ORBITAL_NAME = re.compile(r"^[A-Za-z0-9_+\-']+$")


class _Where:
    """Prefix of every error: the file and the key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str):
        raise DataFileError(f"model file {self.source}: {key}: {problem}")


# ------------------------------------------------------------------------------ expressions
def _evaluate(text: str, names: Mapping[str, float], where: _Where, key: str) -> complex:
    """Evaluate an arithmetic expression of the parameters (numbers, + - * / **, pi, sqrt, sin, ...; 1j)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        where.fail(key, f"cannot parse the expression {text!r}")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            known = ", ".join(sorted(names)) or "none"
            where.fail(key, f"unknown name {node.id!r} in {text!r} (parameters: {known}; constants: pi)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = ev(node.operand)
            return v if isinstance(node.op, ast.UAdd) else -v
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            a, b = ev(node.left), ev(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}
            try:
                return ops[type(node.op)]()
            except (ZeroDivisionError, OverflowError):
                where.fail(key, f"arithmetic error in {text!r}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS \
                and len(node.args) == 1 and not node.keywords:
            return FUNCTIONS[node.func.id](ev(node.args[0]))
        where.fail(key, f"unsupported syntax in {text!r} (numbers, parameters, pi, 1j, + - * / **, "
                        f"{', '.join(FUNCTIONS)})")

    with np.errstate(all="ignore"):
        value = complex(ev(tree))
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        where.fail(key, f"{text!r} is not finite")
    return value


def _number(value, names, where: _Where, key: str, *, real: bool = True):
    """A number, an expression string, or (real=False) a [re, im] pair."""
    if isinstance(value, bool):
        where.fail(key, f"expected a number or an expression string, got {value!r}")
    if isinstance(value, (int, float)):
        out = complex(value)
        if not math.isfinite(value):
            where.fail(key, f"{value!r} is not finite")
    elif isinstance(value, str):
        out = _evaluate(value, names, where, key)
    elif isinstance(value, list) and not real:
        if len(value) != 2:
            where.fail(key, f"a complex number as [re, im] needs 2 entries, got {len(value)}")
        re_ = _number(value[0], names, where, f"{key}[0]")
        im_ = _number(value[1], names, where, f"{key}[1]")
        out = complex(re_, im_)
    else:
        allowed = "a number or an expression string" + ("" if real else " or [re, im]")
        where.fail(key, f"expected {allowed}, got {type(value).__name__} {value!r}")
    if real:
        if abs(out.imag) > 0:
            where.fail(key, f"must be real, got {out!r}")
        return out.real
    return out


def _check_keys(table, allowed, where: _Where, key: str) -> None:
    if not isinstance(table, dict):
        where.fail(key, f"expected a table, got {type(table).__name__}")
    for k in table:
        if k not in allowed:
            where.fail(f"{key}.{k}" if key else k, f"unknown key (allowed: {', '.join(allowed)})")


def _typed(table, k, where, key, kind: type, what: str, required: bool, default):
    """``table[k]`` checked to be a ``kind`` (``what`` names it in the error); missing: ``default`` or, if
    required, an error."""
    name = f"{key}.{k}" if key else k
    if k not in table:
        if required:
            where.fail(name, "missing (required)")
        return default
    v = table[k]
    if not isinstance(v, kind):
        where.fail(name, f"expected {what}, got {type(v).__name__} {v!r}")
    return v


def _string(table, k, where, key, required=False, default=None) -> str | None:
    return _typed(table, k, where, key, str, "a string", required, default)


def _list(table, k, where, key, required=False) -> list | None:
    return _typed(table, k, where, key, list, "an array", required, None)


# ------------------------------------------------------------------------------ the file
@dataclass(frozen=True)
class ModelFile:
    """A loaded model file: the model, its normalisation (reference) model and metadata.

    ``reference`` is the sub-model on ``[normalisation] reference_orbitals`` (the orbitals'
    hoppings among themselves, their Zeeman couplings and pairing), or the model itself.
    ``delta0``: the suggested zero-field gap (|t|) from ``[model] delta0``, or None.
    """

    model: TightBindingModel
    reference: TightBindingModel
    name: str
    description: str
    source_reference: str
    delta0: float | None
    parameters: Mapping[str, float] = field(default_factory=dict)
    path: str = ""


def parse_model(data: Mapping, source: str = "<string>", overrides: Mapping[str, float] | None = None) -> ModelFile:
    """Validate a parsed TOML document and build the model (see the module docstring)."""
    where = _Where(source)
    _check_keys(data, TOP_KEYS, where, "")
    if "schema" in data and (isinstance(data["schema"], bool) or data["schema"] != SCHEMA_VERSION):
        where.fail("schema", f"unsupported schema version {data['schema']!r} (this isingsc reads {SCHEMA_VERSION})")

    meta = data.get("model")
    if meta is None:
        where.fail("model", "missing (required table with at least name = \"...\")")
    _check_keys(meta, MODEL_KEYS, where, "model")
    name = _string(meta, "name", where, "model", required=True)
    if not name.strip():
        where.fail("model.name", "must not be empty")

    lattice = data.get("lattice", {})
    _check_keys(lattice, LATTICE_KEYS, where, "lattice")
    lattice_type = _string(lattice, "type", where, "lattice", default="triangular")
    if lattice_type != "triangular":
        where.fail("lattice.type", f"unsupported lattice {lattice_type!r} (allowed: triangular, a = 1)")

    # parameters (numbers only), then overrides
    raw = data.get("parameters", {})
    if not isinstance(raw, dict):
        where.fail("parameters", f"expected a table, got {type(raw).__name__}")
    params: dict[str, float] = {}
    for k, v in raw.items():
        key = f"parameters.{k}"
        if not _NAME.match(k) or k in FUNCTIONS or k in CONSTANTS:
            where.fail(key, "parameter names are identifiers (letters, digits, _) other than "
                            f"{', '.join(list(FUNCTIONS) + list(CONSTANTS))}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            where.fail(key, f"expected a finite number, got {v!r}")
        params[k] = float(v)
    for k, v in (overrides or {}).items():
        if k not in params:
            raise ParameterError(f"parameter override {k}", v, f"one of the file's parameters: {', '.join(params) or 'none'}")
        try:
            fv = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"parameter override {k}", v, "a finite number") from None
        if not math.isfinite(fv):
            raise ParameterError(f"parameter override {k}", v, "a finite number")
        params[k] = fv

    delta0 = None
    if "delta0" in meta:
        delta0 = _number(meta["delta0"], params, where, "model.delta0")
        if not delta0 > 0:
            where.fail("model.delta0", f"must be > 0, got {delta0!r}")

    # orbitals
    orb_list = _list(data, "orbitals", where, "", required=True)
    if not orb_list:
        where.fail("orbitals", "at least one [[orbitals]] entry is required")
    orbitals, zeeman = [], []
    for i, o in enumerate(orb_list):
        key = f"orbitals[{i}]"
        _check_keys(o, ORBITAL_KEYS, where, key)
        oname = _string(o, "name", where, key, required=True)
        if not _ORBITAL_NAME.match(oname):
            where.fail(f"{key}.name", f"{oname!r}: use letters, digits, _ + - '")
        if oname in orbitals:
            where.fail(f"{key}.name", f"duplicate orbital name {oname!r}")
        orbitals.append(oname)
        zeeman.append(_number(o.get("zeeman", 1.0), params, where, f"{key}.zeeman"))
    n = len(orbitals)
    dim = 2 * n

    def orbital_index(value, key):
        if not isinstance(value, str):
            where.fail(key, f"expected an orbital name, got {value!r}")
        if value not in orbitals:
            where.fail(key, f"unknown orbital {value!r} (orbitals: {', '.join(orbitals)})")
        return orbitals.index(value)

    def orbital_names(table, k, key, default):
        if k not in table:
            return default
        lst = _list(table, k, where, key)
        return [orbital_index(v, f"{key}.{k}[{j}]") for j, v in enumerate(lst)]

    # hoppings
    hop: dict[tuple[int, int], np.ndarray] = {}
    origin: dict[tuple[int, int], list[int]] = {}
    for i, h in enumerate(_list(data, "hoppings", where, "") or []):
        key = f"hoppings[{i}]"
        _check_keys(h, HOPPING_KEYS, where, key)
        if ("offset" in h) == ("shell" in h):
            where.fail(key, "give exactly one of offset = [n1, n2] and shell = 1 | 2 | 3")
        if "offset" in h:
            off = h["offset"]
            if not (isinstance(off, list) and len(off) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                     for x in off)):
                where.fail(f"{key}.offset", f"expected two integers [n1, n2], got {off!r}")
            offsets = [tuple(off)]
        else:
            sh = h["shell"]
            if isinstance(sh, bool) or sh not in terms.SHELLS:
                where.fail(f"{key}.shell", f"expected 1, 2 or 3 (bonds {terms.SHELLS}), got {sh!r}")
            offsets = list(terms.SHELLS[sh])
        if ("value" in h) == ("matrix" in h):
            where.fail(key, "give exactly one of value (with to/from/spin) and matrix")
        if "matrix" in h:
            for k2 in ("to", "from", "spin"):
                if k2 in h:
                    where.fail(f"{key}.{k2}", "not allowed together with matrix")
            rows = h["matrix"]
            if not isinstance(rows, list) or len(rows) != dim or any(not isinstance(r, list) or len(r) != dim
                                                                    for r in rows):
                shape = (len(rows), len(rows[0]) if rows and isinstance(rows[0], list) else "?") \
                    if isinstance(rows, list) else type(rows).__name__
                where.fail(f"{key}.matrix", f"expected a {dim} x {dim} array (2 x {n} orbitals, orbital-major, "
                                            f"spin-minor), got shape {shape}")
            mat = np.array([[_number(x, params, where, f"{key}.matrix[{a}][{b}]", real=False)
                             for b, x in enumerate(r)] for a, r in enumerate(rows)], dtype=complex)
        else:
            if n > 1 and ("to" not in h or "from" not in h):
                where.fail(key, "with several orbitals give to = \"...\" and from = \"...\" (or a matrix)")
            row = orbital_index(h["to"], f"{key}.to") if "to" in h else 0
            col = orbital_index(h["from"], f"{key}.from") if "from" in h else 0
            spin = h.get("spin", "s0")
            if spin not in SPINS:
                where.fail(f"{key}.spin", f"expected one of {', '.join(SPINS)}, got {spin!r}")
            val = _number(h["value"], params, where, f"{key}.value", real=False)
            mat = terms.orbital_block(n, row, col, val * PAULI[SPINS[spin]])
        for off in offsets:
            terms.add(hop, off, mat)
            origin.setdefault(off, []).append(i)

    # spin-orbit coupling
    for i, s in enumerate(_list(data, "soc", where, "") or []):
        key = f"soc[{i}]"
        if not isinstance(s, dict):
            where.fail(key, f"expected a table, got {type(s).__name__}")
        kind = _string(s, "type", where, key, required=True)
        if kind not in SOC_TYPES:
            where.fail(f"{key}.type", f"unknown SOC type {kind!r} (allowed: {', '.join(SOC_TYPES)})")
        strengths, _ = SOC_TYPES[kind]
        _check_keys(s, ("type", "orbitals") + strengths, where, key)
        for k2 in strengths:
            if k2 not in s:
                where.fail(f"{key}.{k2}", f"missing (required for type = {kind!r})")
        val = {k2: _number(s[k2], params, where, f"{key}.{k2}") for k2 in strengths}
        if kind == "atomic-p":
            idx = orbital_names(s, "orbitals", key, None)
            if idx is None or len(idx) != 2 or idx[0] == idx[1]:
                where.fail(f"{key}.orbitals", "atomic-p needs orbitals = [\"p_x name\", \"p_y name\"] (two different)")
            terms.atomic_soc_p(hop, n, idx[0], idx[1], val["beta"])
            origin.setdefault((0, 0), []).append(-1)
            continue
        idx = orbital_names(s, "orbitals", key, list(range(n)))
        if kind == "ising":
            for o in idx:
                terms.ising_soc(hop, n, o, val["beta"])
        elif kind == "rashba":
            terms.inplane_soc(hop, n, idx, val["alpha"], val["alpha"])
        elif kind == "inplane":
            terms.inplane_soc(hop, n, idx, val["alpha_x"], val["alpha_y"])
        elif kind == "line-ising":
            terms.line_ising_soc(hop, n, idx, val["lambda_z"])

    # Hermiticity, named by the entries that built each block
    if (0, 0) in hop and not np.allclose(hop[(0, 0)], hop[(0, 0)].conj().T, atol=1e-12):
        m = hop[(0, 0)]
        a, b = np.unravel_index(np.argmax(np.abs(m - m.conj().T)), m.shape)
        entries = ", ".join(f"hoppings[{j}]" for j in sorted(set(origin.get((0, 0), []))) if j >= 0) or "hoppings"
        where.fail(entries, f"on-site block (offset [0, 0]) is not Hermitian: element ({_label(orbitals, a)}, "
                            f"{_label(orbitals, b)}) = {m[a, b]:.6g} but the transposed element is "
                            f"{m[b, a]:.6g}; give both directions of on-site couplings")
    for off, m in hop.items():
        rev = (-off[0], -off[1])
        if off != (0, 0) and rev in hop and off < rev and not np.allclose(hop[rev], m.conj().T, atol=1e-12):
            entries = ", ".join(f"hoppings[{j}]" for j in sorted(set(origin.get(off, []) + origin.get(rev, []))) if j >= 0)
            where.fail(entries or "soc", f"offsets {list(off)} and {list(rev)} are both given but "
                                         "T(-R) != T(R)^dagger (non-Hermitian); give each bond once "
                                         "(its reverse is added) or both consistently")

    # pairing and normalisation
    pairing = data.get("pairing", {})
    _check_keys(pairing, PAIRING_KEYS, where, "pairing")
    pair_idx = orbital_names(pairing, "orbitals", "pairing", [])
    scale = _number(pairing.get("scale", 1.0), params, where, "pairing.scale")
    if not scale > 0:
        where.fail("pairing.scale", f"must be > 0, got {scale!r}")
    channel = _pairing_channel(pairing, params, where, bool(pair_idx))
    norm = data.get("normalisation", {})
    _check_keys(norm, NORMALISATION_KEYS, where, "normalisation")
    ref_idx = orbital_names(norm, "reference_orbitals", "normalisation", None)
    if ref_idx is not None and not ref_idx:
        where.fail("normalisation.reference_orbitals", "must not be empty")
    if ref_idx is not None and not any(o in pair_idx for o in ref_idx):
        where.fail("normalisation.reference_orbitals", "must include a pairing orbital (its gap fixes v)")

    attrs = {**params, "model_file": source}
    try:
        model = TightBindingModel(name=name, orbitals=tuple(orbitals), hoppings=terms.clean(hop) if hop else
                                  {(0, 0): np.zeros((dim, dim))}, zeeman_coupling=tuple(zeeman),
                                  pairing_orbitals=tuple(orbitals[o] for o in pair_idx), parameters=attrs,
                                  pairing_scale=scale)
        if channel is not None:
            ch, q = channel
            model = replace(model, pairing_terms=ch.terms(model), pair_momentum=(float(q[0]), float(q[1])),
                            pairing_channel=ch.label)
    except ParameterError as exc:  # should not happen after the checks above; keep the one-line form
        where.fail(exc.name, exc.allowed)
    reference = model if ref_idx is None else submodel(model, [orbitals[o] for o in ref_idx])
    return ModelFile(model=model, reference=reference, name=name, description=meta.get("description", ""),
                     source_reference=meta.get("reference", ""), delta0=delta0, parameters=params, path=source)


def _pairing_channel(pairing, params, where: _Where, has_orbitals: bool):
    """``[pairing] channel / spin / momentum``: (PairingChannel, Q) if any is given, else None (on-site s)."""
    given = [k for k in ("channel", "spin", "momentum") if k in pairing]
    if not given:
        return None
    if not has_orbitals:
        where.fail(f"pairing.{given[0]}", "needs pairing.orbitals (the orbitals the channel pairs)")
    name = _string(pairing, "channel", where, "pairing", default="s")
    if name not in CHANNELS:
        where.fail("pairing.channel", f"unknown channel {name!r} (allowed: {', '.join(CHANNELS)})")
    spin = _string(pairing, "spin", where, "pairing")
    if spin is not None and spin not in SPIN_STRUCTURES:
        where.fail("pairing.spin", f"unknown spin structure {spin!r} (allowed: {', '.join(SPIN_STRUCTURES)})")
    try:
        ch = PairingChannel(name, spin)
    except ParameterError as exc:  # Pauli: singlet with an odd channel, triplet with an even one
        where.fail("pairing.spin", f"{spin!r} is not allowed with channel {name!r}: allowed {exc.allowed}")
    q = np.zeros(2)
    if "momentum" in pairing:
        value = pairing["momentum"]
        key = "pairing.momentum"
        if isinstance(value, str):
            if value.strip() not in PAIR_MOMENTA:
                where.fail(key, f"unknown pair momentum {value!r} (allowed: {', '.join(PAIR_MOMENTA)} "
                                "or [qx, qy] in 1/a)")
            q = named_pair_momentum(value.strip())
        elif isinstance(value, list):
            if len(value) != 2:
                where.fail(key, f"expected two numbers [qx, qy] (cartesian, 1/a), got {len(value)} entries")
            q = np.array([_number(x, params, where, f"{key}[{j}]") for j, x in enumerate(value)])
        else:
            where.fail(key, f"expected one of {', '.join(PAIR_MOMENTA)} or [qx, qy] (1/a), got "
                            f"{type(value).__name__} {value!r}")
    return ch, q


def _label(orbitals, index: int) -> str:
    return f"{orbitals[index // 2]}{'↑↓'[index % 2]}"


def submodel(model: TightBindingModel, keep: list[str]) -> TightBindingModel:
    """The model restricted to the orbitals ``keep`` (their hoppings among themselves, Zeeman, pairing).

    The pairing amplitudes D_R (on-site or on bonds, any channel) are restricted to the kept orbitals too
    (pairing between a kept and a dropped orbital is dropped); the pair momentum and channel are kept."""
    idx = [model.orbital_index(o) for o in keep]
    basis = np.array([2 * i + s for i in idx for s in (0, 1)])
    hop = {}
    for off, m in model.hoppings.items():
        if (-off[0], -off[1]) in hop:
            continue
        block = m[np.ix_(basis, basis)]
        if off == (0, 0) or np.any(block != 0):
            hop[off] = block
    pairing_orbitals = tuple(o for o in keep if o in model.pairing_orbitals)
    pair = {}
    if pairing_orbitals:
        for off, m in model.pairing_terms.items():
            block = m[np.ix_(basis, basis)]
            if np.any(block != 0):
                pair[off] = block  # both R and -R kept: consistent (D_-R = -D_R^T) by construction
    return TightBindingModel(name=f"{model.name}[{','.join(keep)}]", orbitals=tuple(keep), hoppings=hop,
                             zeeman_coupling=tuple(model.zeeman_coupling[i] for i in idx),
                             pairing_orbitals=pairing_orbitals,
                             lattice=model.lattice, parameters=dict(model.parameters),
                             pairing_scale=model.pairing_scale, pairing_terms=pair if pairing_orbitals else None,
                             pair_momentum=model.pair_momentum, pairing_channel=model.pairing_channel)


def load_model_file(path, overrides: Mapping[str, float] | None = None) -> ModelFile:
    """Read and validate a TOML model file (``overrides``: new values of its ``[parameters]``)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"model file {path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"model file {path}: cannot be read ({exc})") from None
    return loads_model(text, str(path), overrides)


def loads_model(text: str, source: str = "<string>", overrides: Mapping[str, float] | None = None) -> ModelFile:
    """Parse TOML text (see :func:`load_model_file`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"model file {source}: not valid TOML ({exc})") from None
    return parse_model(data, source, overrides)


def load_model(path, overrides: Mapping[str, float] | None = None) -> TightBindingModel:
    """The :class:`TightBindingModel` described by a TOML model file."""
    return load_model_file(path, overrides).model


# ------------------------------------------------------------------------------ packaged files
def packaged_model_path(filename: str) -> Path:
    """Path of a model file shipped with isingsc (``isingsc/data/models/<filename>``)."""
    res = resources.files("isingsc").joinpath("data/models").joinpath(filename)
    path = Path(str(res))
    if not path.is_file():
        raise DataFileError(f"model file {filename}: not shipped with isingsc (see isingsc/data/models)")
    return path


def packaged_model_files() -> list[Path]:
    """Every model file shipped with isingsc, sorted by name."""
    folder = Path(str(resources.files("isingsc").joinpath("data/models")))
    return sorted(folder.glob("*.toml"))
