"""Options shared by the commands, declared once, with their physical ranges.

* :class:`Number` / :class:`Count` -- parsers that accept only finite numbers (integers) inside an
  allowed range; a bad value is one error line naming the option and the range (exit 2), before any
  work starts.  Upper bounds keep energies against the bandwidth and counts against memory.
* :func:`model_command` -- the decorator that gives a command ``--model``, ``--model-file``,
  ``--param NAME=VALUE`` and the paper's parameter flags (``--gamma``, ``--mu-sc``, ...), resolves
  them through the catalogue (:func:`isingsc.models.catalogue.resolve`) and hands the command a
  :class:`~isingsc.models.catalogue.ResolvedModel`.  A flag the model has no parameter for is an
  error naming the flag and the model's parameters.
* :func:`output_folder` / :func:`output_file` -- an ``--out`` that is a file, or lies under one, is
  refused before the computation.
"""

from __future__ import annotations

import functools
import inspect
import math
from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.core.errors import ParameterError


class Number:
    """Parser of a finite real number in [lo, hi] (strict ends with ``lo_open``/``hi_open``, 0 excluded with
    ``nonzero``)."""

    def __init__(self, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
                 hi_open: bool = False, nonzero: bool = False, unit: str = ""):
        self.lo, self.hi, self.lo_open, self.hi_open, self.nonzero, self.unit = lo, hi, lo_open, hi_open, nonzero, unit

    def describe(self) -> str:
        parts = []
        if self.lo is not None:
            parts.append(f"{'>' if self.lo_open else '>='} {self.lo:g}")
        if self.hi is not None:
            parts.append(f"{'<' if self.hi_open else '<='} {self.hi:g}")
        if self.nonzero:
            parts.append("!= 0")
        text = " and ".join(parts) if parts else "any finite number"
        return text + (f" ({self.unit})" if self.unit else "")

    def __call__(self, value):
        if isinstance(value, float) and math.isfinite(value) and self._inside(value):
            return value
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise typer.BadParameter(f"{value!r} is not a number (allowed range {self.describe()})") from None
        if not math.isfinite(x) or not self._inside(x):
            raise typer.BadParameter(f"{value!r} is outside the allowed range {self.describe()}")
        return x

    def _inside(self, x: float) -> bool:
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        if self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)):
            return False
        return not (self.nonzero and x == 0.0)


class Count:
    """Parser of an integer count in [lo, hi]."""

    def __init__(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi

    def __call__(self, value):
        try:
            x = float(value)
            n = int(x)
        except (TypeError, ValueError, OverflowError):
            raise typer.BadParameter(f"{value!r} is not an integer (allowed range {self.lo} <= n <= {self.hi})") from None
        if x != n or not self.lo <= n <= self.hi:
            raise typer.BadParameter(f"{value!r} is outside the allowed range {self.lo} <= n <= {self.hi}")
        return n


def number(flag: str, help: str, *, lo=None, hi=None, lo_open=False, hi_open=False, nonzero=False, unit="",
           short: str | None = None):
    """An ``Annotated`` option of a finite number in a range (the range and unit appended to the help)."""
    t = Number(lo, hi, lo_open=lo_open, hi_open=hi_open, nonzero=nonzero, unit=unit)
    names = (flag,) if short is None else (flag, short)
    return typer.Option(*names, parser=t, metavar="NUMBER", help=f"{help} Allowed: {t.describe()}.")


def count(flag: str, help: str, lo: int, hi: int):
    return typer.Option(flag, parser=Count(lo, hi), metavar="INTEGER", help=f"{help} Allowed: {lo}..{hi}.")


# ------------------------------------------------------------------ common options
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
OutDir = Annotated[Optional[Path], typer.Option("--out", help="Output folder for PNG + NetCDF files.")]
FieldAngle = Annotated[float, number(
    "--field-angle", "In-plane field direction phi in degrees from the lattice x axis (Gamma-K, a "
    "nearest-neighbour bond): V = |V| (cos phi, sin phi, 0).", lo=-360, hi=360, unit="degrees")]
FieldStrength = Annotated[Optional[float], number(
    "--field", "Zeeman energy |V| = mu_B B of the in-plane field, along --field-angle.", lo=0.0, hi=5.0, unit="|t|")]
Delta0 = Annotated[Optional[float], number(
    "--delta0", "Zero-temperature, zero-field gap of the reference model (the isolated SC layer for the "
    "heterostructure, the model itself otherwise), fixing the pairing strength v; default: the model's "
    "(isingsc models).", lo=0.0, hi=1.0, lo_open=True, unit="|t|")]
Coupling = Annotated[Optional[float], number("--v", "Pairing strength v instead of --delta0.", lo=0.0, hi=100.0,
                                             lo_open=True, unit="|t| x site")]
Tol = Annotated[float, number("--tol", "Relative convergence tolerance of the reported numbers.", lo=1e-5, hi=0.2)]

#: The paper's parameter flags: flag -> (parameter name, help).  They override the model's parameters
#: like --param NAME=VALUE; a flag the chosen model has no parameter for is an error.
MODEL_FLAGS = {
    "t_sc": ("--t-sc", "SC nearest-neighbour hopping t_SC (the intrinsic layer's t)."),
    "mu_sc": ("--mu-sc", "SC chemical potential mu_SC (the intrinsic layer's mu)."),
    "t_tmd": ("--t-tmd", "TMD hopping t_TMD."),
    "mu_tmd": ("--mu-tmd", "TMD chemical potential mu_TMD."),
    "beta_so": ("--beta-so", "Ising SOC beta_SO (Ising field 3 sqrt3 beta_SO at K)."),
    "gamma": ("--gamma", "SC-TMD coupling Gamma."),
}


def parse_name_values(option: str, items, example: str = "NAME=1.0") -> dict[str, float]:
    """["a=1", "b=2.5"] -> {"a": 1.0, "b": 2.5}; a ParameterError naming ``option`` on a malformed item."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip():
            raise ParameterError(option, item, f"NAME=VALUE with a number VALUE, e.g. {example}")
        try:
            number_ = float(value)
        except ValueError:
            raise ParameterError(option, item, "NAME=VALUE with a finite number VALUE") from None
        if not math.isfinite(number_):
            raise ParameterError(option, item, "NAME=VALUE with a finite number VALUE")
        if name.strip() in out:
            raise ParameterError(option, item, "each NAME once", reason=f"{name.strip()} is given twice")
        out[name.strip()] = number_
    return out


def resolve_model(model: str | None, model_file: Path | None, params, flags: dict):
    """The catalogue model of the model options: ``--model-file`` or ``--model``, with ``--param`` and the
    parameter flags as overrides (a flag and --param for the same parameter is an error)."""
    from isingsc.models import catalogue

    overrides = parse_name_values("--param", params, "beta_so=0.1")
    for name, value in flags.items():
        if value is None:
            continue
        if name in overrides:
            raise ParameterError(MODEL_FLAGS.get(name, (f"--{name}",))[0], value, "one value per parameter",
                                 reason=f"{name} is given both by the flag and by --param")
        overrides[name] = float(value)
    if model_file is not None and model is not None:
        raise ParameterError("--model", model, "no --model together with --model-file")
    try:
        if model_file is not None:
            return catalogue.resolve(file=Path(model_file), overrides=overrides)
        return catalogue.resolve(model, overrides=overrides)
    except ParameterError as exc:  # name the flag the user typed, where it was a flag
        if exc.name in flags and flags[exc.name] is not None and exc.name in MODEL_FLAGS:
            raise ParameterError(MODEL_FLAGS[exc.name][0], exc.value, exc.allowed, reason=exc.reason) from None
        raise


def model_command(default: str = "heterostructure", requires=()):
    """Decorator: add the model options to a command and pass it ``model=`` a ResolvedModel.

    ``requires``: the capabilities (:meth:`~isingsc.models.catalogue.ResolvedModel.require`) the command
    needs, checked before any work ("pairing", "winding", "real-space").
    """
    requires = (requires,) if isinstance(requires, str) else tuple(requires)
    def decorate(func):
        sig = inspect.signature(func, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name != "model"]
        kw = inspect.Parameter.KEYWORD_ONLY
        extra = [
            inspect.Parameter("model", kw, default=None, annotation=Annotated[Optional[str], typer.Option(
                "--model", help=f"Built-in model (isingsc models lists them); default {default}.")]),
            inspect.Parameter("model_file", kw, default=None, annotation=Annotated[Optional[Path], typer.Option(
                "--model-file", help="TOML model file (docs/model-files.md) instead of --model.")]),
            inspect.Parameter("param", kw, default=None, annotation=Annotated[Optional[list[str]], typer.Option(
                "--param", help="NAME=VALUE: set a parameter of the model (|t|; repeatable); `isingsc models` "
                                "lists each model's parameters.")]),
        ]
        for name, (flag, text) in MODEL_FLAGS.items():
            extra.append(inspect.Parameter(name, kw, default=None, annotation=Annotated[Optional[float], number(
                flag, text + " Same as --param " + name + "=VALUE.", lo=-50.0, hi=50.0, unit="|t|")]))
        extra.append(inspect.Parameter("field_on_tmd", kw, default=None, annotation=Annotated[Optional[bool], typer.Option(
            "--field-on-tmd/--no-field-on-tmd", help="Let the Zeeman field act on the TMD layer too (default: yes).",
            show_default=False)]))

        @functools.wraps(func)
        def wrapper(**kwargs):
            flags = {name: kwargs.pop(name) for name in MODEL_FLAGS}
            fot = kwargs.pop("field_on_tmd")
            if fot is not None:
                flags["field_on_tmd"] = float(fot)
            name, path, params = kwargs.pop("model"), kwargs.pop("model_file"), kwargs.pop("param")
            if name is None and path is None:
                name = default
            resolved = resolve_model(name, path, params, flags)
            for capability in requires:
                resolved.require(capability)
            return func(model=resolved, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=own + extra)
        wrapper.__annotations__ = {}
        return wrapper
    return decorate


def output_folder(path, name: str = "--out") -> Path | None:
    """Refuse an output folder that is an existing file or lies under one (checked before any work)."""
    if path is None:
        return None
    p = Path(path)
    for q in (p, *p.parents):
        if q.exists() and not q.is_dir():
            raise ParameterError(name, str(path), "a folder path (an existing file is in the way: " + str(q) + ")")
    return p


def output_file(path, name: str = "--plot", suffixes=(".png", ".pdf", ".svg")) -> Path | None:
    """Refuse an output file of an unknown format, or one whose folder is blocked by a file."""
    if path is None:
        return None
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise ParameterError(name, str(path), "a file name ending in " + ", ".join(suffixes))
    if p.is_dir():
        raise ParameterError(name, str(path), "a file path (this is a folder)")
    output_folder(p.parent, name)
    return p


#: The Zeeman field on a host held at fixed pairing (impurity, chain, pairing): strength and two angles.
HostField = Annotated[float, number(
    "--field", "Zeeman energy |V| = mu_B B of the field on the host, along --field-polar / --field-angle.",
    lo=0.0, hi=5.0, unit="|t|")]
FieldPolar = Annotated[float, number(
    "--field-polar", "Polar angle of the field from the z axis: 90 = in plane (along --field-angle), 0 = out of "
    "plane.", lo=0.0, hi=180.0, unit="degrees")]


def direction_from_degrees(polar: float, azimuth: float):
    """The unit vector at ``polar`` degrees from z and ``azimuth`` degrees from x (the one conversion of
    direction angles at the CLI boundary), shape (3,)."""
    from isingsc.core.field import degrees_to_radians, direction

    return direction(degrees_to_radians("polar angle", polar), degrees_to_radians("azimuth", azimuth))


def host_field(strength: float, polar: float, azimuth: float):
    """--field, --field-polar, --field-angle as a :class:`~isingsc.core.field.Field`."""
    from isingsc.core.field import Field

    return Field.from_vector(strength * direction_from_degrees(polar, azimuth))


def field_angle_rad(degrees: float) -> float:
    """--field-angle (degrees) in radians: the one conversion at the CLI boundary."""
    from isingsc.core.field import degrees_to_radians

    return degrees_to_radians("--field-angle", degrees)


def polar_angle(flag: str, what: str, default_text: str = ""):
    """The option type of a polar angle from z in degrees (0 = out of plane, 90 = in plane), 0 ... 180."""
    return Annotated[float, number(flag, f"Polar angle of {what} from the z axis (0: out of plane, 90: in plane)"
                                         f"{'; ' + default_text if default_text else ''}.", lo=0.0, hi=180.0,
                                   unit="degrees")]


def azimuth_angle(flag: str, what: str, default_text: str = ""):
    """The option type of an azimuth from the lattice x axis in degrees, -360 ... 360."""
    return Annotated[float, number(flag, f"Azimuth of {what} from the lattice x axis"
                                         f"{'; ' + default_text if default_text else ''}.", lo=-360.0, hi=360.0,
                                   unit="degrees")]


def write_result(outdir, result: dict, dataset, name: str, figure) -> None:
    """Write ``dataset`` as NAME.nc and ``figure`` as NAME.png into ``outdir`` and list them in ``result``."""
    from isingsc.core.results import save
    from isingsc.plotting.style import save_figure

    files = [save(dataset, outdir / f"{name}.nc")] + save_figure(figure, outdir / f"{name}.png")
    result["files"] = [str(p) for p in files]

