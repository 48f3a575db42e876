"""Least-squares fits of measured Hc2(T) with lmfit: Ising, Ising + scattering, Pauli, 2D GL, WHH.

Models (parameters in lab units; ``B(T)`` in tesla, zero for T >= Tc):

=================  =======================================================  ==========================
model              formula                                                  parameters (free by default)
=================  =======================================================  ==========================
ising              clean Ising digamma equation (:func:`.ising.ising_hc2`)   Tc [K], beta_so [meV]
ising-scattering   Matsubara kernel with spin-orbit / intervalley scattering Tc, beta_so, gamma_so [meV];
                   (:func:`.ising.ising_scattering_hc2`)                     gamma_iv [meV] fixed at 0
pauli              clean Pauli-limited Hc2, first order below T* (:mod:`.pauli`) Tc; g fixed at 2
gl                 2D GL, parallel: sqrt12 Phi0/(2 pi xi d) (1-t)^(1/2)      Tc, xi_d [nm^2]
                   perpendicular: Phi0/(2 pi xi^2) (1-t)                     Tc, xi0 [nm]
whh                WHH dirty limit (:mod:`.whh`)                            Tc, slope [T/K]; alpha,
                                                                            lambda_so fixed at 0
=================  =======================================================  ==========================

beta_so is the Ising field (half the spin splitting; the full splitting 2 beta_so is
reported as a derived quantity).  Residuals are (B_model - B)/sigma when errors are
given (then the covariance is *not* rescaled by chi2_red, so the standard errors are
those implied by the stated errors) and B_model - B otherwise (covariance scaled by
chi2_red, lmfit's default).  Confidence intervals: value -/+ t_{dof} quantile x standard
error (68.27 % and 95.45 %), or lmfit's profile-likelihood :func:`lmfit.conf_interval`
with ``ci="profile"`` (slower, exact for non-linear models).

The fit refuses to report silently: non-convergence raises ConvergenceError; a
parameter the data cannot constrain (no covariance, relative error > 100 %, at a
bound, or |correlation| > 0.999 with another) is listed in ``warnings`` and marked
``constrained = False``; a data point above the fitted Tc whose B is not zero within 3 sigma
raises DataFileError (the data contradict the model).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import xarray as xr

from isingsc.core.errors import ConvergenceError, DataFileError, ParameterError, check_range
from isingsc.core.units import G_FACTOR_DEFAULT, K_B_MEV_PER_K, MU_B_MEV_PER_T, PHI0_WB
from isingsc.experiment import ising as _ising
from isingsc.experiment import pauli as _pauli
from isingsc.experiment import whh as _whh
from isingsc.experiment.data_io import Hc2Data

MODELS = ("ising", "ising-scattering", "pauli", "gl", "whh")
ORIENTATIONS = ("parallel", "perpendicular")
CONFIDENCE_LEVELS = {"ci68": 0.682689492137, "ci95": 0.954499736104}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    unit: str
    description: str
    vary: bool = True
    min: float = 0.0
    max: float = np.inf


@dataclass(frozen=True)
class Hc2Model:
    """A fit model: parameter specs and B(T; params) in tesla (T in K)."""

    name: str
    description: str
    params: tuple[ParamSpec, ...]
    func: Callable  # func(T, **params) -> B (T)
    near_tc_power: float  # B^p is linear in (Tc - T) close to Tc: used for the starting Tc

    def param_names(self) -> list[str]:
        return [p.name for p in self.params]


def _to_tesla(tc, g):
    return K_B_MEV_PER_K * tc / (0.5 * g * MU_B_MEV_PER_T)


def _below_tc(T, tc):
    t = np.asarray(T, dtype=float) / tc
    return t, (t > 0) & (t < 1)


def _ising_b(T, Tc, beta_so, g=G_FACTOR_DEFAULT):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    if np.any(m):
        out[m] = _ising.clean_ising_field_reduced(t[m], beta_so / (K_B_MEV_PER_K * Tc)) * _to_tesla(Tc, g)
    return out


def _ising_scattering_b(T, Tc, beta_so, gamma_so, gamma_iv, g=G_FACTOR_DEFAULT):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    if np.any(m):
        k = K_B_MEV_PER_K * Tc
        out[m] = _ising.scattering_field_reduced(t[m], beta_so / k, gamma_so / k, gamma_iv / k) * _to_tesla(Tc, g)
    return out


def _pauli_b(T, Tc, g):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    if np.any(m):
        out[m] = _pauli.physical_field_reduced(t[m]) * _to_tesla(Tc, g)
    return out


def _gl_parallel_b(T, Tc, xi_d):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    out[m] = math.sqrt(12.0) * PHI0_WB / (2 * math.pi * xi_d * 1e-18) * np.sqrt(1 - t[m])
    return out


def _gl_perpendicular_b(T, Tc, xi0):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    out[m] = PHI0_WB / (2 * math.pi * (xi0 * 1e-9) ** 2) * (1 - t[m])
    return out


def _whh_b(T, Tc, slope, alpha, lambda_so):
    t, m = _below_tc(T, Tc)
    out = np.zeros_like(t)
    if np.any(m):
        out[m] = (math.pi**2 / 4) * Tc * slope * _whh.whh_hbar(t[m], alpha, lambda_so)
    return out


_TC = ParamSpec("Tc", "K", "zero-field critical temperature", min=1e-6)
_BETA = ParamSpec("beta_so", "meV", "Ising field beta_so (half the spin splitting 2 beta_so)")


def get_model(name: str, orientation: str = "parallel") -> Hc2Model:
    """The fit model called ``name`` (one of :data:`MODELS`); ``orientation`` only for ``gl``."""
    if name == "ising":
        return Hc2Model(name, "clean Ising superconductor (digamma equation)", (_TC, _BETA),
                        lambda T, Tc, beta_so, g=G_FACTOR_DEFAULT: _ising_b(T, Tc, beta_so, g), 2.0)
    if name == "ising-scattering":
        return Hc2Model(name, "Ising superconductor with spin-orbit (Gamma_so = hbar/3tau_so) and intervalley "
                              "(Gamma_iv = hbar/tau_iv) scattering",
                        (_TC, _BETA, ParamSpec("gamma_so", "meV", "spin-orbit scattering rate hbar/(3 tau_so)"),
                         ParamSpec("gamma_iv", "meV", "intervalley scattering rate hbar/tau_iv", vary=False)),
                        lambda T, Tc, beta_so, gamma_so, gamma_iv, g=G_FACTOR_DEFAULT:
                        _ising_scattering_b(T, Tc, beta_so, gamma_so, gamma_iv, g), 2.0)
    if name == "pauli":
        return Hc2Model(name, "clean Pauli-limited superconductor (first order below T* = 0.5615 Tc)",
                        (_TC, ParamSpec("g", "1", "electron g-factor", vary=False, min=1e-3)),
                        lambda T, Tc, g: _pauli_b(T, Tc, g), 2.0)
    if name == "gl":
        if orientation == "parallel":
            return Hc2Model("gl", "2D Ginzburg-Landau, parallel field",
                            (_TC, ParamSpec("xi_d", "nm^2", "product xi_GL(0) d of coherence length and thickness",
                                            min=1e-6)),
                            lambda T, Tc, xi_d: _gl_parallel_b(T, Tc, xi_d), 2.0)
        if orientation == "perpendicular":
            return Hc2Model("gl", "2D Ginzburg-Landau, perpendicular field",
                            (_TC, ParamSpec("xi0", "nm", "GL coherence length xi_GL(0)", min=1e-6)),
                            lambda T, Tc, xi0: _gl_perpendicular_b(T, Tc, xi0), 1.0)
        raise ParameterError("orientation", orientation, " | ".join(ORIENTATIONS))
    if name == "whh":
        return Hc2Model(name, "WHH dirty limit (orbital + Pauli + spin-orbit scattering)",
                        (_TC, ParamSpec("slope", "T/K", "|dHc2/dT| at Tc", min=1e-9),
                         ParamSpec("alpha", "1", "Maki parameter", vary=False),
                         ParamSpec("lambda_so", "1", "spin-orbit scattering hbar/(3 pi k_B Tc tau_so)", vary=False)),
                        lambda T, Tc, slope, alpha, lambda_so: _whh_b(T, Tc, slope, alpha, lambda_so), 1.0)
    raise ParameterError("model", name, " | ".join(MODELS))


# ----------------------------------------------------------------------------- start values
def _start_tc(data: Hc2Data, power: float) -> float:
    """Tc from a straight line through B^p against T over the upper half of the points (B^p ∝ Tc - T)."""
    pos = data.B > 0
    t_top = float(np.max(data.T))
    t_pos_max = float(np.max(data.T[pos])) if np.any(pos) else t_top
    n = max(2, len(data.T) // 2)
    T, y = data.T[-n:], data.B[-n:] ** power
    if np.ptp(T) > 0:
        slope, icpt = np.polyfit(T, y, 1)
        if slope < 0:
            tc = -icpt / slope
            return float(np.clip(tc, 1.001 * t_pos_max, 2.0 * t_top))
    return 1.05 * t_pos_max


def _start_values(model: Hc2Model, data: Hc2Data, g: float) -> dict:
    tc = _start_tc(data, model.near_tc_power)
    i = int(np.argmin(data.T))
    t0, b0 = data.T[i] / tc, max(float(data.B[i]), 1e-12)
    h0 = b0 / _to_tesla(tc, g)
    k = K_B_MEV_PER_K * tc
    out = {"Tc": tc}
    if model.name in ("ising", "ising-scattering"):
        # beta_so through the lowest-T point: h(t0; beta) increases with beta
        f = lambda beta: float(_ising.clean_ising_field_reduced(t0, beta)) - h0  # noqa: E731
        if t0 < 1 and f(0.0) < 0:
            hi = 1.0
            while f(hi) < 0 and hi < 1e6:
                hi *= 2
            from scipy.optimize import brentq
            beta = brentq(f, 0.0, hi, xtol=1e-6) if f(hi) > 0 else hi
        else:
            beta = 0.1
        out["beta_so"] = max(beta, 0.05) * k
        if model.name == "ising-scattering":
            out["gamma_so"] = 0.05 * k
            out["gamma_iv"] = 0.0
    elif model.name == "pauli":
        out["g"] = g
    elif model.name == "gl":
        if "xi_d" in model.param_names():
            b_par0 = b0 / math.sqrt(max(1 - t0, 1e-6))
            out["xi_d"] = math.sqrt(12.0) * PHI0_WB / (2 * math.pi * b_par0) * 1e18
        else:
            b_perp0 = b0 / max(1 - t0, 1e-6)
            out["xi0"] = math.sqrt(PHI0_WB / (2 * math.pi * b_perp0)) * 1e9
    elif model.name == "whh":
        out["slope"] = b0 / max(0.69 * tc, 1e-12)
        out["alpha"] = 0.0
        out["lambda_so"] = 0.0
    return out


# ----------------------------------------------------------------------------------- results
@dataclass
class FitParameter:
    """One fitted (or fixed) parameter with its uncertainty."""

    name: str
    value: float
    unit: str
    description: str
    vary: bool
    stderr: float | None = None
    ci68: tuple[float, float] | None = None
    ci95: tuple[float, float] | None = None
    constrained: bool = True
    note: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "stderr": self.stderr, "unit": self.unit, "vary": self.vary,
                "ci68": list(self.ci68) if self.ci68 else None, "ci95": list(self.ci95) if self.ci95 else None,
                "constrained": self.constrained, "note": self.note, "description": self.description}


@dataclass
class FitResult:
    """Everything a fit produced; the CLI prints and writes exactly this content."""

    model: str
    description: str
    options: dict
    parameters: dict[str, FitParameter]
    derived: dict[str, dict]
    chi2: float
    redchi: float
    dof: int
    nfev: int
    success: bool
    message: str
    ci_method: str
    data: Hc2Data
    warnings: list[str] = field(default_factory=list)
    _func: Callable | None = None

    @property
    def values(self) -> dict:
        return {k: p.value for k, p in self.parameters.items()}

    @property
    def weighted(self) -> bool:
        return self.data.weighted

    @property
    def constrained(self) -> bool:
        return all(p.constrained for p in self.parameters.values() if p.vary)

    def model_field(self, T) -> np.ndarray:
        """Fitted B(T) in tesla at temperatures T (K); 0 at T >= Tc."""
        return np.asarray(self._func(np.atleast_1d(np.asarray(T, dtype=float)), **self.values), dtype=float)

    def pauli_field(self) -> float:
        """Pauli field B_P (T) at the fitted Tc (BCS, the fit's g)."""
        return float(_pauli.pauli_field(self.values["Tc"], self.options.get("g", G_FACTOR_DEFAULT)))

    def curve(self, n_points: int = 200) -> xr.Dataset:
        """Fitted curve and the Pauli-limited Hc2 for the fitted Tc on a T grid (K)."""
        tc = self.values["Tc"]
        g = self.options.get("g", G_FACTOR_DEFAULT)
        t = np.linspace(0.01, 1.0, n_points)
        return xr.Dataset({"B_fit_curve": ("T_curve", self.model_field(t * tc), {"units": "T"}),
                           "B_pauli_limited_curve": ("T_curve", _pauli_b(t * tc, tc, g),
                                                     {"units": "T", "long_name": "clean Pauli-limited Hc2 at the fitted Tc"})},
                          coords={"T_curve": ("T_curve", t * tc, {"units": "K"})})

    def to_dict(self) -> dict:
        d = self.data
        return {
            "model": self.model, "description": self.description, "options": self.options,
            "parameters": {k: p.as_dict() for k, p in self.parameters.items()},
            "derived": self.derived,
            "statistics": {"chi2": self.chi2, "redchi": self.redchi, "dof": self.dof, "n_points": len(d),
                           "nfev": self.nfev, "weighted": self.weighted, "ci_method": self.ci_method},
            "success": self.success, "message": self.message, "constrained": self.constrained,
            "warnings": list(self.warnings),
            "data": {"source": d.source, "T": d.T.tolist(), "B": d.B.tolist(),
                     "B_err": None if d.B_err is None else d.B_err.tolist(),
                     "B_fit": self.model_field(d.T).tolist()},
            "units": {"T": "K", "B": "T", "energies": "meV", "chi2": "dimensionless if weighted, else T^2"},
        }

    def to_dataset(self) -> xr.Dataset:
        """Data, fit and Pauli curve as an xarray Dataset; parameters and statistics in attrs."""
        from isingsc.experiment.results import finalize_lab

        d = self.data
        b_fit = self.model_field(d.T)
        data_vars = {"B": ("point", d.B, {"units": "T", "long_name": "measured critical field"}),
                     "B_fit": ("point", b_fit, {"units": "T"}),
                     "residual": ("point", d.B - b_fit, {"units": "T"})}
        if d.B_err is not None:
            data_vars["B_err"] = ("point", d.B_err, {"units": "T", "long_name": "1-sigma error of B"})
        ds = xr.Dataset(data_vars, coords={"T": ("point", d.T, {"units": "K"})})
        ds = ds.merge(self.curve())
        attrs = {"kind": "hc2_fit", "fit_model": self.model, "model_description": self.description,
                 "data_source": d.source, "chi2": self.chi2, "redchi": self.redchi, "dof": self.dof,
                 "nfev": self.nfev, "weighted": int(self.weighted), "ci_method": self.ci_method,
                 "success": int(self.success), "constrained": int(self.constrained),
                 "warnings": " | ".join(self.warnings) if self.warnings else "none"}
        for k, v in self.options.items():
            attrs[f"option_{k}"] = v
        for k, p in self.parameters.items():
            attrs[f"param_{k}"] = p.value
            attrs[f"param_{k}_unit"] = p.unit
            attrs[f"param_{k}_vary"] = int(p.vary)
            attrs[f"param_{k}_stderr"] = p.stderr if p.stderr is not None else "not estimated"
            for level in ("ci68", "ci95"):
                ci = getattr(p, level)
                attrs[f"param_{k}_{level}"] = list(ci) if ci else "not estimated"
        for k, v in self.derived.items():
            attrs[f"derived_{k}"] = v["value"]
            attrs[f"derived_{k}_stderr"] = v["stderr"] if v["stderr"] is not None else "not estimated"
            attrs[f"derived_{k}_unit"] = v["unit"]
        return finalize_lab(ds, **attrs)

    def summary(self) -> str:
        """Human-readable report: every number with its unit and uncertainty."""
        lines = [f"model: {self.model} ({self.description}); data: {self.data.source} ({len(self.data)} points, "
                 f"{'weighted by B_err' if self.weighted else 'unweighted'})"]
        for p in self.parameters.values():
            if not p.vary:
                lines.append(f"  {p.name:10s} = {p.value:.6g} {p.unit} (fixed)")
                continue
            err = f" +/- {p.stderr:.3g}" if p.stderr is not None else " +/- (not estimated)"
            ci = ""
            if p.ci68 and p.ci95:
                ci = f"; 68% CI [{p.ci68[0]:.6g}, {p.ci68[1]:.6g}], 95% CI [{p.ci95[0]:.6g}, {p.ci95[1]:.6g}] {p.unit}"
            flag = "" if p.constrained else "  <-- NOT CONSTRAINED by the data"
            lines.append(f"  {p.name:10s} = {p.value:.6g}{err} {p.unit}{ci}{flag}")
        for k, v in self.derived.items():
            err = f" +/- {v['stderr']:.3g}" if v["stderr"] is not None else ""
            lines.append(f"  {k} = {v['value']:.6g}{err} {v['unit']}  ({v['description']})")
        chi_unit = "" if self.weighted else " T^2"
        lines.append(f"  chi2 = {self.chi2:.6g}{chi_unit}, reduced chi2 = {self.redchi:.6g}{chi_unit} "
                     f"(dof = {self.dof}); CI from {self.ci_method}; nfev = {self.nfev}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        return "\n".join(lines)

    def to_json(self) -> str:
        """Strict JSON text of :meth:`to_dict` (no NaN / Infinity)."""
        from isingsc.core.results import to_jsonable

        return json.dumps(to_jsonable(self.to_dict()), allow_nan=False, indent=1) + "\n"

    def save_json(self, path) -> Path:
        path = Path(path)
        text = self.to_json()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def save_netcdf(self, path) -> Path:
        from isingsc.experiment.results import save

        return save(self.to_dataset(), path)


# --------------------------------------------------------------------------------------- fit
def _parse_overrides(name: str, mapping, model: Hc2Model) -> dict:
    out = {}
    for k, v in (mapping or {}).items():
        if k not in model.param_names():
            raise ParameterError(name, k, f"a parameter of model {model.name}: {', '.join(model.param_names())}")
        out[k] = check_range(f"{name} {k}", v)
    return out


def _derived(model: Hc2Model, params: dict[str, FitParameter], g: float, options: dict, cov_ok: bool) -> dict:
    def entry(value, stderr, unit, description):
        return {"value": float(value), "stderr": None if stderr is None or not cov_ok else float(stderr),
                "unit": unit, "description": description}

    tc = params["Tc"]
    out = {"B_P": entry(_pauli.pauli_field(tc.value, g), None if tc.stderr is None else
                        _pauli.pauli_slope(g) * tc.stderr, "T", "Pauli field 1.8568 T/K x Tc (BCS, g = %g)" % g)}
    if "beta_so" in params:
        b = params["beta_so"]
        out["soc_splitting"] = entry(2 * b.value, None if b.stderr is None else 2 * b.stderr, "meV",
                                     "full spin splitting 2 beta_so")
        out["beta_over_kTc"] = entry(b.value / (K_B_MEV_PER_K * tc.value), None, "1", "beta_so / (k_B Tc)")
    if "gamma_so" in params and params["gamma_so"].value > 0:
        gs = params["gamma_so"]
        rel = None if gs.stderr is None else gs.stderr / gs.value
        tau = _ising.tau_so_from_gamma_so(gs.value)
        out["tau_so"] = entry(tau, None if rel is None else rel * tau, "s", "spin-orbit scattering time hbar/(3 gamma_so)")
    if "xi_d" in params and options.get("xi0_nm"):
        xd = params["xi_d"]
        xi0 = float(options["xi0_nm"])
        out["d"] = entry(xd.value / xi0, None if xd.stderr is None else xd.stderr / xi0, "nm",
                         f"GL thickness xi_d / xi0 for the given xi0 = {xi0:g} nm")
    if "xi0" in params:
        x = params["xi0"]
        b0 = PHI0_WB / (2 * math.pi * (x.value * 1e-9) ** 2)
        out["B_perp0"] = entry(b0, None if x.stderr is None else 2 * b0 * x.stderr / x.value, "T",
                               "Phi0 / (2 pi xi0^2), perpendicular Hc2 extrapolated to T = 0")
    if "xi_d" in params:
        xd = params["xi_d"]
        b0 = math.sqrt(12) * PHI0_WB / (2 * math.pi * xd.value * 1e-18)
        out["B_par0"] = entry(b0, None if xd.stderr is None else b0 * xd.stderr / xd.value, "T",
                              "sqrt12 Phi0/(2 pi xi d), parallel Hc2 extrapolated to T = 0")
    return out


def fitted_parameter(rp, name: str, unit: str, description: str, cov_ok: bool, dof: int) -> FitParameter:
    """A :class:`FitParameter` from lmfit's parameter ``rp``: value, standard error and the Student-t
    intervals of CONFIDENCE_LEVELS (``dof`` degrees of freedom) when the covariance exists; flagged
    unconstrained when it does not or the relative error exceeds 100 %."""
    from scipy.stats import t as student_t

    fp = FitParameter(name, float(rp.value), unit, description, bool(rp.vary))
    if not rp.vary:
        return fp
    if cov_ok and rp.stderr is not None and np.isfinite(rp.stderr):
        fp.stderr = float(rp.stderr)
        for level, prob in CONFIDENCE_LEVELS.items():
            q = student_t.ppf(0.5 + prob / 2, dof)
            setattr(fp, level, (fp.value - q * fp.stderr, fp.value + q * fp.stderr))
        if fp.stderr > abs(fp.value):
            fp.constrained, fp.note = False, "relative standard error above 100 %"
    else:
        fp.constrained, fp.note = False, "standard error not estimated"
    return fp


def least_squares(residual, params, weighted: bool, what: str):
    """lmfit Levenberg-Marquardt on ``residual`` (already divided by the errors): (minimizer, result,
    warnings, whether the covariance exists).  Unweighted data scale the covariance by the reduced chi^2.
    A model evaluation error or no convergence raises ConvergenceError naming ``what``."""
    import lmfit

    minimizer = lmfit.Minimizer(residual, params, scale_covar=not weighted)
    try:
        res = minimizer.minimize(method="leastsq")
    except (ConvergenceError, ParameterError) as exc:
        raise ConvergenceError(f"{what} failed while evaluating the model: {exc}") from None
    if not res.success:
        raise ConvergenceError(f"{what} did not converge: {res.message} (nfev = {res.nfev})")
    warnings: list[str] = []
    cov_ok = bool(res.errorbars) and res.covar is not None
    if not cov_ok:
        warnings.append("the covariance matrix could not be estimated: the data do not constrain all free "
                        "parameters (fix one with --fix NAME=VALUE)")
    return minimizer, res, warnings, cov_ok


def fit_hc2(data: Hc2Data, model: str = "ising", *, g: float = G_FACTOR_DEFAULT, orientation: str = "parallel",
            xi0_nm: float | None = None, fix: dict | None = None, free=None, init: dict | None = None,
            ci: str = "covariance") -> FitResult:
    """Fit measured Hc2(T) points with lmfit (Levenberg-Marquardt).

    Parameters
    ----------
    data : :class:`~.data_io.Hc2Data` (T in K, B and B_err in T), e.g. from :func:`.data_io.read_hc2_csv`.
    model : ``ising`` | ``ising-scattering`` | ``pauli`` | ``gl`` | ``whh`` (table in the module docstring).
    g : electron g-factor of the Zeeman energy (g/2) mu_B B (fixed; for ``pauli`` it is a parameter).
    orientation : for ``gl``: ``parallel`` (fits Tc and xi_d = xi(0) d) or ``perpendicular`` (Tc, xi0).
    xi0_nm : optional xi_GL(0) (nm) to convert the parallel-field xi_d into a thickness d.
    fix : {name: value} parameters to hold fixed; free : names to vary that are fixed by default;
    init : {name: value} starting values (default: estimated from the data).
    ci : ``covariance`` (t-quantile x stderr) or ``profile`` (:func:`lmfit.conf_interval`).

    Returns a :class:`FitResult` (parameters with standard errors and 68 / 95 % intervals,
    reduced chi2, warnings).  Raises ConvergenceError if the minimiser fails and
    DataFileError if a point with B > 0 lies above the fitted Tc.
    """
    import lmfit

    g = _pauli.check_g(g)
    if ci not in ("covariance", "profile"):
        raise ParameterError("ci", ci, "covariance | profile")
    spec = get_model(model, orientation)
    fixed = _parse_overrides("fix", fix, spec)
    starts = _parse_overrides("init", init, spec)
    free = list(free or [])
    for name in free:
        if name not in spec.param_names():
            raise ParameterError("free", name, f"a parameter of model {model}: {', '.join(spec.param_names())}")
    if xi0_nm is not None:
        xi0_nm = check_range("xi0_nm", xi0_nm, lo=0.0, lo_open=True)

    start = _start_values(spec, data, g)
    start.update(starts)
    params = lmfit.Parameters()
    k_tc = K_B_MEV_PER_K * start["Tc"]
    # a free parameter must not start on its bound: lmfit's bound transform has zero slope there
    off_bound = {"alpha": 0.5, "lambda_so": 0.5, "gamma_so": 0.05 * k_tc, "gamma_iv": 0.05 * k_tc,
                 "beta_so": 0.05 * k_tc}
    for p in spec.params:
        vary = (p.vary or p.name in free) and p.name not in fixed
        value = fixed.get(p.name, start[p.name])
        if vary and p.name not in starts and value <= p.min:
            value = p.min + off_bound.get(p.name, 1e-3 * max(abs(p.min), 1.0))
        if not (p.min <= value <= p.max):
            raise ParameterError(p.name, value, f"{p.min:g} <= {p.name} <= {p.max:g} {p.unit}")
        params.add(p.name, value=value, vary=vary, min=p.min, max=p.max)
    n_free = sum(1 for p in params.values() if p.vary)
    if n_free == 0:
        raise ParameterError("fix", sorted(fixed), "at least one free parameter")
    if len(data) <= n_free:
        raise DataFileError(f"{data.source}: {len(data)} points cannot constrain {n_free} free parameters "
                            f"(need at least {n_free + 1})")

    sigma = data.B_err if data.B_err is not None else np.ones_like(data.B)
    func = spec.func if model != "ising" and model != "ising-scattering" else \
        (lambda T, **kw: spec.func(T, g=g, **kw))

    def residual(pars):
        return (func(data.T, **pars.valuesdict()) - data.B) / sigma

    minimizer, res, warnings, cov_ok = least_squares(residual, params, data.weighted, f"fit of model {model}")
    dof = int(res.nfree)

    fitted: dict[str, FitParameter] = {}
    for p in spec.params:
        rp = res.params[p.name]
        fp = fitted_parameter(rp, p.name, p.unit, p.description, cov_ok, dof)
        if rp.vary:
            scale = max(abs(fp.value), 1e-12)
            if abs(fp.value - p.min) <= 1e-6 * scale + 1e-12 or (np.isfinite(p.max) and abs(fp.value - p.max) <= 1e-6 * scale):
                fp.constrained = False
                fp.note = (fp.note + "; " if fp.note else "") + f"at its bound ({p.name} = {fp.value:g} {p.unit})"
        fitted[p.name] = fp
    if cov_ok and res.params is not None:
        names = [n for n in res.var_names]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                corr = (res.params[a].correl or {}).get(b)
                if corr is not None and abs(corr) > 0.999:
                    for n in (a, b):
                        fitted[n].constrained = False
                        fitted[n].note = (fitted[n].note + "; " if fitted[n].note else "") + \
                            f"correlation {corr:+.4f} between {a} and {b}"
    if data.weighted and dof > 0:
        from scipy.stats import chi2 as chi2_dist

        p_value = float(chi2_dist.sf(res.chisqr, dof))
        if p_value < 1e-3:
            warnings.append(f"reduced chi2 = {res.redchi:.4g} (p = {p_value:.2g} for dof = {dof}): the model "
                            f"{model} does not describe the data within their stated errors")
    for fp in fitted.values():
        if fp.vary and not fp.constrained:
            warnings.append(f"parameter {fp.name} is not constrained by the data ({fp.note})")

    ci_method = "covariance (Student-t quantile x standard error)"
    if ci == "profile" and cov_ok:
        try:
            intervals = lmfit.conf_interval(minimizer, res, sigmas=[1, 2])
            for name, rows in intervals.items():
                # rows: lower limits (outermost first), best value, upper limits
                lo = {round(s, 3): v for s, v in rows[: len(rows) // 2]}
                hi = {round(s, 3): v for s, v in rows[len(rows) // 2 + 1:]}
                fitted[name].ci68 = (lo[0.683], hi[0.683])
                fitted[name].ci95 = (lo[0.954], hi[0.954])
            ci_method = "profile likelihood (lmfit.conf_interval, F-test)"
        except Exception as exc:  # lmfit raises plain exceptions when a profile cannot be closed
            warnings.append(f"profile confidence intervals failed ({' '.join(str(exc).split())}); "
                            f"covariance intervals reported instead")

    options = {"g": g}
    if model == "gl":
        options["orientation"] = orientation
        if xi0_nm is not None:
            options["xi0_nm"] = xi0_nm
    if model in ("ising", "ising-scattering"):
        options["beta_convention"] = "beta_so = Ising field = half the spin splitting"

    result = FitResult(model=model, description=spec.description, options=options, parameters=fitted,
                       derived=_derived(spec, fitted, g, options, cov_ok), chi2=float(res.chisqr),
                       redchi=float(res.redchi), dof=dof, nfev=int(res.nfev), success=bool(res.success),
                       message=str(res.message), ci_method=ci_method, data=data, warnings=warnings,
                       _func=func)
    # Above Tc the model is B = 0: a point there contradicts the fit unless its B is zero within
    # 3 sigma (sigma = its error bar, or the residual rms of an unweighted fit)
    tc = fitted["Tc"]
    sig = data.B_err if data.weighted else np.full(len(data), math.sqrt(max(res.redchi, 0.0)))
    above = np.flatnonzero((data.T > tc.value) & (data.B > 3 * sig))
    if above.size:
        i = above[0]
        err = f" +/- {tc.stderr:.3g}" if tc.stderr is not None else ""
        raise DataFileError(f"{data.source}: point T = {data.T[i]:g} K, B = {data.B[i]:g} T lies above the fitted "
                            f"Tc = {tc.value:.6g}{err} K; allowed range: T < Tc for points with B > 3 sigma "
                            f"= {3 * sig[i]:.3g} T ({above.size} point(s) violate it)")
    return result
