"""Sweep files: a parameter sweep described in TOML, validated before anything runs.

A sweep file has four tables::

    [model]
    name = "heterostructure"          # any catalogue model (isingsc models): heterostructure, intrinsic, ws2, ...
    # or: file = "my_model.toml"     # a TOML model file (docs/model-files.md), path relative to this file;
                                      # its [parameters] entries become sweepable keys

    [parameters]                      # fixed values (model parameters, pairing, settings)
    beta_so = 0.5
    delta0 = 0.02                     # pairing strength: Delta0 of the reference (or v)

    [axes]                            # one dimension of the result per key, in this order
    gamma = { start = 0.0, stop = 0.5, num = 6 }
    mu_tmd = [2.6, 2.8, 3.0, 3.2]

    [compute]
    quantities = ["Hc2", "nodal"]     # see QUANTITIES
    t_over_tc = 0.1                   # settings (may also be axes)

Every key of ``[parameters]`` and ``[axes]`` is a model parameter (of the catalogue entry, or for a
model file an entry of its ``[parameters]`` table), a pairing parameter (``delta0`` xor ``v``) or a
compute setting.  The field angle is in degrees here (the file boundary) and radians inside.
:func:`load_sweep` checks every key, type and range -- including each point's model parameters and
whether the model can give each quantity -- and raises :class:`SweepFileError` naming the file, the
table and the key.
"""

from __future__ import annotations

import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from isingsc.core.errors import DataFileError, IsingscError
from isingsc.models import catalogue

#: Pairing strength: Delta0 of the reference model (|t|) or the coupling v (|t| x site).
PAIRING = ("delta0", "v")

#: Compute settings: name -> (default, allowed-range text, predicate).
SETTINGS: dict[str, tuple[float, str, object]] = {
    "t_over_tc": (0.1, "0 < t_over_tc < 1", lambda x: 0.0 < x < 1.0),
    "vx_over_delta": (4.0, "vx_over_delta >= 0", lambda x: x >= 0.0),
    "topology_delta": (0.05, "topology_delta > 0", lambda x: x > 0.0),
    "tol": (0.005, "0 < tol < 0.5", lambda x: 0.0 < x < 0.5),
    "field_angle": (0.0, "-360 <= field_angle <= 360 (degrees from x)", lambda x: -360.0 <= x <= 360.0),
    # magnetic impurities and chains (quantities ysr, chain): the host at fixed pairing and field
    "host_delta": (0.1, "0 < host_delta <= 10 (|t|, the host's fixed pairing)", lambda x: 0.0 < x <= 10.0),
    "field_strength": (0.0, "0 <= field_strength <= 5 (|t|, Zeeman energy on the host)", lambda x: 0.0 <= x <= 5.0),
    "field_polar": (90.0, "0 <= field_polar <= 180 (degrees from z; 90 = in plane along field_angle)",
                    lambda x: 0.0 <= x <= 180.0),
    "J": (1.0, "-100 <= J <= 100 (|t|, exchange of each moment)", lambda x: -100.0 <= x <= 100.0),
    "U": (0.0, "-100 <= U <= 100 (|t|, potential of each impurity)", lambda x: -100.0 <= x <= 100.0),
    "moment_polar": (90.0, "0 <= moment_polar <= 180 (degrees from z)", lambda x: 0.0 <= x <= 180.0),
    "moment_azimuth": (0.0, "-360 <= moment_azimuth <= 360 (degrees from x)", lambda x: -360.0 <= x <= 360.0),
    "chain_spacing": (1.0, "chain_spacing an integer 1 ... 20 (lattice constants along a1)",
                      lambda x: x == int(x) and 1 <= x <= 20),
    # vertical Josephson junctions (quantity junction): two electrodes of the model through a magnetic barrier
    "t0": (0.05, "-5 <= t0 <= 5 (|t|, spin-independent tunnelling)", lambda x: -5.0 <= x <= 5.0),
    "t_m": (0.1, "-5 <= t_m <= 5 (|t|, spin-dependent tunnelling along m)", lambda x: -5.0 <= x <= 5.0),
    "m_polar": (0.0, "0 <= m_polar <= 180 (degrees from z; the barrier's magnetisation)", lambda x: 0.0 <= x <= 180.0),
    "m_azimuth": (0.0, "-360 <= m_azimuth <= 360 (degrees from x)", lambda x: -360.0 <= x <= 360.0),
    "barrier_layers": (0.0, "barrier_layers an integer 0 ... 40 (explicit insulator layers)",
                       lambda x: x == int(x) and 0 <= x <= 40),
    "barrier_exchange": (0.0, "-20 <= barrier_exchange <= 20 (|t|)", lambda x: -20.0 <= x <= 20.0),
    "stacking": (0.0, "stacking a multiple of 60 (degrees; 0 = aligned)", lambda x: abs(x / 60 - round(x / 60)) < 1e-9),
    "junction_delta": (0.05, "0 < junction_delta <= 1 (|t|, the electrodes' fixed pairing)", lambda x: 0.0 < x <= 1.0),
    "temperature": (0.005, "0 < temperature <= 1 (|t|)", lambda x: 0.0 < x <= 1.0),
    # pairing channels and Chern numbers (quantities chern, channels; docs/hole_doped_tmd.md)
    "chern_delta": (0.1, "0 < chern_delta <= 1 (|t|, the channel's fixed pairing amplitude)", lambda x: 0.0 < x <= 1.0),
    "channel_index": (0.0, "channel_index an integer 0 ... 13 (0: the model's own pairing; 1 ... 13: the channels "
                           "of isingsc.models.channels.channel_list() in order)", lambda x: x == int(x) and 0 <= x <= 13),
    "momentum_index": (0.0, "momentum_index 0, 1 or 2 (pair momentum 0, 2K, 2K')", lambda x: x in (0.0, 1.0, 2.0)),
    "attraction": (1.0, "0 < attraction <= 100 (|t| x site, every channel's v)", lambda x: 0.0 < x <= 100.0),
    "t_min": (0.002, "0 < t_min <= 1 (|t|, lowest temperature resolved by channels)", lambda x: 0.0 < x <= 1.0),
}

#: Quantities a sweep can compute, with the variables each writes (see quantities.py), and the
#: capability each needs of the model (:meth:`isingsc.models.catalogue.ResolvedModel.require`).
QUANTITIES = ("Tc", "Delta0", "Hc2", "nodal", "winding", "ysr", "chain", "junction", "chern", "channels")
CAPABILITY = {"Tc": ("pairing",), "Delta0": ("pairing",), "Hc2": ("pairing",), "nodal": ("winding",),
              "winding": ("winding",), "ysr": ("pairing", "real-space"), "chain": ("pairing", "real-space"),
              "junction": ("pairing",), "chern": ("pairing",), "channels": ("pairing", "real-space")}

_TABLES = ("model", "parameters", "axes", "compute")
_MAX_POINTS = 1_000_000


class SweepFileError(DataFileError):
    """A sweep file is malformed: the message names the file, table and key."""


def _fail(path, where: str, message: str):
    raise SweepFileError(f"sweep file {path}: {where}: {message}")


def _number(path, where, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, where, f"expected a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        _fail(path, where, f"expected a finite number, got {value!r}")
    return value


def _axis_values(path, name, spec) -> tuple:
    where = f"[axes] {name}"
    if isinstance(spec, list):
        if not spec:
            _fail(path, where, "an axis needs at least one value")
        if name == "field_on_tmd":
            if not all(isinstance(v, bool) for v in spec):
                _fail(path, where, "values must be true/false")
            values = tuple(spec)
        else:
            values = tuple(_number(path, f"{where}[{i}]", v) for i, v in enumerate(spec))
    elif isinstance(spec, dict):
        unknown = set(spec) - {"start", "stop", "num"}
        if unknown or not {"start", "stop", "num"} <= set(spec):
            _fail(path, where, "a range is {start = <number>, stop = <number>, num = <integer >= 1>}"
                  + (f"; unknown key(s) {sorted(unknown)}" if unknown else ""))
        start, stop = _number(path, f"{where}.start", spec["start"]), _number(path, f"{where}.stop", spec["stop"])
        num = spec["num"]
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            _fail(path, f"{where}.num", f"expected an integer >= 1, got {num!r}")
        if num > 1 and start == stop:
            _fail(path, where, f"start = stop = {start:g} with num = {num}: the values would repeat")
        values = tuple(float(v) for v in np.linspace(start, stop, num))
    else:
        _fail(path, where, f"expected a list of values or a range table, got {spec!r}")
    if len(set(values)) != len(values):
        _fail(path, where, "values repeat")
    return values


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: model, fixed values, ordered axes and quantities."""

    model: str  # a built-in name, or "file" (then model_text holds the TOML model file)
    fixed: dict = field(default_factory=dict)
    axes: dict = field(default_factory=dict)  # name -> tuple of values (ordered)
    quantities: tuple = ()
    source: str = "<memory>"
    model_file: str = ""
    model_text: str = ""

    @property
    def model_spec(self):
        """What a worker needs to build the model: the name, or {"file": path, "text": TOML text}."""
        return {"file": self.model_file, "text": self.model_text} if self.model == "file" else self.model

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.axes else 1

    def points(self):
        """(index tuple, parameter dict) for every point, in C order."""
        names = list(self.axes)
        for index in itertools.product(*(range(n) for n in self.shape)):
            values = dict(self.fixed)
            values.update({n: self.axes[n][i] for n, i in zip(names, index)})
            yield index, values

    def canonical(self) -> str:
        """A JSON text identifying the sweep (stored in the output, compared on --resume)."""
        d = {"model": self.model, "fixed": self.fixed, "axes": {k: list(v) for k, v in self.axes.items()},
             "quantities": list(self.quantities)}
        if self.model == "file":  # the file's content, so that --resume notices an edited model
            d.update(model_file=self.model_file, model_text=self.model_text)
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_canonical(cls, text: str, source: str = "<store>") -> "SweepSpec":
        d = json.loads(text)
        return cls(model=d["model"], fixed=d["fixed"], axes={k: tuple(v) for k, v in d["axes"].items()},
                   quantities=tuple(d["quantities"]), source=source, model_file=d.get("model_file", ""),
                   model_text=d.get("model_text", ""))


def settings_of(values: dict) -> dict:
    """The compute settings of one point, defaults filled in."""
    return {k: float(values.get(k, default)) for k, (default, _, _) in SETTINGS.items()}


def check_point(spec: SweepSpec, values: dict) -> None:
    """Raise the model's own ParameterError (or DataFileError) for an invalid point, cheaply: the
    parameters are validated, the model is not built (that happens on the worker)."""
    if isinstance(spec.model_spec, dict):
        from isingsc.models.modelfile import loads_model

        probe = loads_model(spec.model_text, spec.model_file)
        overrides = {k: float(values[k]) for k in probe.parameters if k in values}
        if overrides:
            loads_model(spec.model_text, spec.model_file, overrides)
        return
    entry = catalogue.get(spec.model)
    names = set(entry.parameter_names) | set(entry.aliases)
    entry.parameters({k: v for k, v in values.items() if k in names})


def resolve_point(model_spec, values: dict):
    """The :class:`~isingsc.models.catalogue.ResolvedModel` of one point: ``model_spec`` is a catalogue
    name or {"file": path, "text": TOML} (the text travels with the task: workers need no shared file
    system); the point's model parameters override the model's."""
    if isinstance(model_spec, dict):
        probe = catalogue.resolve(file=model_spec["file"], text=model_spec["text"])
        overrides = {k: float(values[k]) for k in probe.parameters if k in values}
        return catalogue.resolve(file=model_spec["file"], text=model_spec["text"], overrides=overrides) \
            if overrides else probe
    entry = catalogue.get(model_spec)
    names = set(entry.parameter_names) | set(entry.aliases)
    return catalogue.resolve(model_spec, overrides={k: v for k, v in values.items() if k in names})


def parse_sweep(data: dict, path="<memory>") -> SweepSpec:
    """Validate the parsed TOML ``data`` (see module docstring) into a :class:`SweepSpec`."""
    unknown = set(data) - set(_TABLES)
    if unknown:
        _fail(path, "top level", f"unknown table(s) {sorted(unknown)}; allowed: {list(_TABLES)}")
    for table in _TABLES:
        if table in data and not isinstance(data[table], dict):
            _fail(path, f"[{table}]", "must be a table")
    model_t = data.get("model", {})
    if set(model_t) - {"name", "file"}:
        _fail(path, "[model]", f"unknown key(s) {sorted(set(model_t) - {'name', 'file'})}; allowed: ['file', 'name']")
    model_file = model_text = ""
    if "file" in model_t:
        if "name" in model_t:
            _fail(path, "[model]", "give name (a built-in model) or file (a model file), not both")
        if not isinstance(model_t["file"], str) or not model_t["file"]:
            _fail(path, "[model] file", f"expected a path to a TOML model file, got {model_t['file']!r}")
        file_path = Path(model_t["file"])
        if not file_path.is_absolute() and isinstance(path, Path):
            file_path = path.parent / file_path
        try:
            model_text = file_path.read_text(encoding="utf-8")
            parsed = catalogue.resolve(file=str(file_path.resolve()), text=model_text)
        except OSError as exc:
            _fail(path, "[model] file", f"cannot read {file_path} ({exc})")
        except IsingscError as exc:
            _fail(path, "[model] file", str(exc))
        name, model_file = "file", str(file_path.resolve())
        model_parameters = tuple(parsed.parameters)
    else:
        name = model_t.get("name", "heterostructure")
        try:
            entry = catalogue.get(name)
        except IsingscError as exc:
            _fail(path, "[model] name", f"{exc} (or file = a TOML model file)")
        model_parameters = entry.parameter_names + tuple(entry.aliases)
    allowed = set(model_parameters) | set(PAIRING) | set(SETTINGS)

    fixed: dict = {}
    for key, value in data.get("parameters", {}).items():
        if key not in allowed:
            _fail(path, f"[parameters] {key}", f"unknown parameter for model {name!r}; allowed: {sorted(allowed)}")
        if key == "field_on_tmd":
            if not isinstance(value, bool):
                _fail(path, f"[parameters] {key}", f"expected true/false, got {value!r}")
            fixed[key] = value
        else:
            fixed[key] = _number(path, f"[parameters] {key}", value)
    axes: dict = {}
    for key, spec in data.get("axes", {}).items():
        if key not in allowed:
            _fail(path, f"[axes] {key}", f"unknown parameter for model {name!r}; allowed: {sorted(allowed)}")
        if key in fixed:
            _fail(path, f"[axes] {key}", "also given in [parameters]; give it in one place")
        axes[key] = _axis_values(path, key, spec)
    if not axes:
        _fail(path, "[axes]", "a sweep needs at least one axis, e.g. gamma = {start = 0.0, stop = 0.5, num = 6} "
                              "(one point: isingsc tc / hc2 / winding)")

    compute = dict(data.get("compute", {}))
    quantities = compute.pop("quantities", None)
    if not isinstance(quantities, list) or not quantities or not all(isinstance(q, str) for q in quantities):
        _fail(path, "[compute] quantities", f"expected a non-empty list of names from {list(QUANTITIES)}")
    bad = [q for q in quantities if q not in QUANTITIES]
    if bad:
        _fail(path, "[compute] quantities", f"unknown quantity {bad[0]!r}; allowed: {list(QUANTITIES)}")
    if len(set(quantities)) != len(quantities):
        _fail(path, "[compute] quantities", "a quantity is listed twice")
    for key, value in compute.items():
        if key not in SETTINGS:
            _fail(path, f"[compute] {key}", f"unknown setting; allowed: {['quantities', *SETTINGS]}")
        if key in axes:
            _fail(path, f"[compute] {key}", "also given in [axes]; give it in one place")
        fixed[key] = _number(path, f"[compute] {key}", value)

    both = [p for p in PAIRING if p in fixed or p in axes]
    if len(both) == 2:
        _fail(path, "delta0/v", "give the pairing strength as delta0 or v, not both")
    for key, (_, text, ok) in SETTINGS.items():
        for value in ([fixed[key]] if key in fixed else axes.get(key, ())):
            if not ok(value):
                _fail(path, key, f"{value!r} is outside the allowed range {text}")
    for key in PAIRING:
        for value in ([fixed[key]] if key in fixed else axes.get(key, ())):
            if not value > 0:
                _fail(path, key, f"{value!r} is outside the allowed range {key} > 0")
    if not both:
        fixed["delta0"] = parsed.delta0 if name == "file" else entry.delta0

    spec = SweepSpec(model=name, fixed=fixed, axes=axes, quantities=tuple(quantities), source=str(path),
                     model_file=model_file, model_text=model_text)
    if spec.n_points > _MAX_POINTS:
        _fail(path, "[axes]", f"{spec.n_points} points: at most {_MAX_POINTS} per sweep")
    first = True
    for index, values in spec.points():
        try:
            if first:  # the whole model once: can it give the quantities asked for?
                resolved = resolve_point(spec.model_spec, values)
                for q in spec.quantities:
                    try:
                        for capability in CAPABILITY[q]:
                            resolved.require(capability)
                    except IsingscError as exc:
                        _fail(path, "[compute] quantities", f"{q}: {exc}")
                first = False
            else:  # every point's parameters
                check_point(spec, values)
        except SweepFileError:
            raise
        except IsingscError as exc:
            where = ", ".join(f"{k} = {values[k]!r}" for k in spec.axes) or "the fixed parameters"
            _fail(path, f"point ({where})", str(exc))
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (raises :class:`SweepFileError` with one clear line)."""
    path = Path(path)
    if not path.is_file():
        raise SweepFileError(f"sweep file {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SweepFileError(f"sweep file {path}: not valid TOML ({exc})") from None
    return parse_sweep(data, path)
