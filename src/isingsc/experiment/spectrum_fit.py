"""Fitting a measured tunnelling spectrum dI/dV(V) with lmfit: gap, temperature, Dynes broadening,
optionally the Ising SOC and the in-plane field.

Lab units: bias V in mV (eV in meV), Delta, Gamma, beta_so in meV, temperature T in K, field B in
tesla (Zeeman energy b = (g/2) mu_B B, g = 2 by default); the conductance in the file's own unit.

Model.  The counter-electrode has a flat DOS; the sample's normalised DOS n(E) is

* BCS / Dynes (beta_so = 0, B = 0): n = Re[z / sqrt(z^2 - Delta^2)], z = E + i Gamma;
* Zeeman-split (beta_so = 0): n = [n_D(E - b) + n_D(E + b)] / 2;
* Ising superconductor in an in-plane field (beta_so > 0): one valley of
  H = xi tau_z + beta sigma_z + b sigma_x tau_z + Delta sigma_y tau_y (the Ising field beta flips
  sign between K and K', which leaves the DOS unchanged), integrated over xi with a flat normal DOS:

      n(E) = -(1 / 2 pi) Im int dxi Tr_e G(xi, z),
      Tr_e G = [2 (z + xi) w + 4 xi h^2] / (w^2 - 4 k^2),
      w = z^2 - xi^2 - h^2 - Delta^2,  h^2 = beta^2 + b^2,  k^2 = xi^2 h^2 + b^2 Delta^2,

  (from (z - H)^-1 = (z + H)(z^2 - H^2)^-1 with H^2 = xi^2 + h^2 + Delta^2 + 2K, K^2 = k^2; the
  quasiparticle energies are E^2 = xi^2 + h^2 + Delta^2 +- 2k).  Limits, tested: b = 0 gives the
  Dynes form for any beta; beta = 0 gives the Zeeman-split form.

and the measured conductance is

    G(V) = scale (1 + slope V) int dE n(E) [-f'(E - eV)]     (k_B T, exact for piecewise-linear n),

with ``scale`` the normal-state conductance G_N (free) and ``slope`` a linear background (fixed at
0 unless freed).  Free by default: delta, temperature, gamma, scale; beta_so and field are fixed
(at 0, or at the value given) and can be freed.

Errors: residuals (G_model - G)/sigma with an error column (covariance not rescaled), else
G_model - G (covariance scaled by chi2_red); confidence intervals value -/+ Student-t quantile x
standard error.  Every malformed file raises :class:`~isingsc.core.errors.DataFileError` with one line
naming the file, line and the allowed form: missing file or column, empty file, non-numeric or
empty cell, NaN or inf, too few points, bias not strictly monotonic, error <= 0.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from isingsc.core.errors import DataFileError, ParameterError, check_range
from isingsc.core.units import G_FACTOR_DEFAULT, K_B_MEV_PER_K, MU_B_MEV_PER_T
from isingsc.experiment.fitting import FitParameter, fitted_parameter, least_squares

V_NAMES = ("V", "bias", "V_mV", "V (mV)", "V [mV]", "bias (mV)", "bias_mV", "Vbias", "V_bias", "U", "U (mV)",
           "voltage", "Vb")
G_NAMES = ("dIdV", "dI/dV", "dIdV (a.u.)", "dI/dV (a.u.)", "G", "G (a.u.)", "conductance", "didv", "dI_dV",
           "G (uS)", "dIdV_norm", "G/GN")
ERR_NAMES = ("err", "error", "sigma", "dIdV_err", "G_err", "dI/dV_err", "std", "stderr")
#: Fewest data points a spectrum must have.
MIN_POINTS = 10


# ----------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class SpectrumData:
    """A measured spectrum: bias V (mV), conductance G (file units), optional 1-sigma errors of G."""

    V: np.ndarray
    G: np.ndarray
    G_err: np.ndarray | None = None
    source: str = "arrays"
    columns: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.V)

    @property
    def weighted(self) -> bool:
        return self.G_err is not None


#: Physical ranges of a measured tunnelling spectrum: the bias (mV) and the conductance (any unit).
V_MAX_MV, G_MAX = 1e4, 1e100


def _validate(V, G, err, source: str, lines) -> SpectrumData:
    line = (lambda i: f"{source}, line {lines[i]}") if lines is not None else (lambda i: source)  # noqa: E731
    for name, arr in (("bias V", V), ("conductance G", G)) + ((("error", err),) if err is not None else ()):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            what = "NaN" if np.isnan(arr[bad[0]]) else f"{arr[bad[0]]}"
            raise DataFileError(f"{line(bad[0])}: {name} = {what} is not a finite number; allowed: finite numbers")
    for name, arr, limit, unit in (("bias V", V, V_MAX_MV, " mV"), ("conductance G", G, G_MAX, "")):
        bad = np.flatnonzero(np.abs(arr) > limit)
        if bad.size:
            raise DataFileError(f"{line(bad[0])}: {name} = {arr[bad[0]]:g}{unit}; allowed range |{name.split()[-1]}| "
                                f"<= {limit:g}{unit}")
    if len(V) < MIN_POINTS:
        raise DataFileError(f"{source}: {len(V)} data points; need at least {MIN_POINTS} (bias V [mV], dI/dV rows)")
    d = np.diff(V)
    if not (np.all(d > 0) or np.all(d < 0)):
        sign = np.sign(d[0]) if d[0] != 0 else 1.0
        i = int(np.flatnonzero(np.sign(d) != sign)[0]) + 1
        raise DataFileError(f"{line(i)}: bias V = {V[i]:g} mV breaks the monotonic sweep (previous {V[i - 1]:g} mV); "
                            f"allowed: strictly increasing or strictly decreasing bias")
    if err is not None:
        bad = np.flatnonzero(err <= 0)
        if bad.size:
            raise DataFileError(f"{line(bad[0])}: error = {err[bad[0]]:g}; allowed range error > 0")
    order = np.argsort(V)
    return SpectrumData(V=V[order], G=G[order], G_err=None if err is None else err[order], source=source)


def spectrum_data(V, G, G_err=None, source: str = "arrays") -> SpectrumData:
    """Validated :class:`SpectrumData` from arrays (V in mV), sorted by bias."""
    V = np.asarray(V, dtype=float).ravel()
    G = np.asarray(G, dtype=float).ravel()
    if len(V) != len(G):
        raise DataFileError(f"{source}: V has {len(V)} values but G has {len(G)}")
    err = None if G_err is None else np.asarray(G_err, dtype=float).ravel()
    if err is not None and len(err) != len(V):
        raise DataFileError(f"{source}: the error column has {len(err)} values but V has {len(V)}")
    return _validate(V, G, err, source, None)


def read_spectrum_csv(path, *, v_col: str | None = None, g_col: str | None = None,
                      err_col: str | None = None) -> SpectrumData:
    """Read a CSV spectrum: a header row, then bias V (mV) and dI/dV, optionally its error.

    Columns are recognised by common names (:data:`V_NAMES`, :data:`G_NAMES`, :data:`ERR_NAMES`,
    case and spaces ignored) or named; ``err_col="none"`` ignores an error column.  Lines starting
    with ``#`` are comments.  Raises DataFileError (one line) on any malformed input.
    """
    from isingsc.experiment.data_io import read_numeric_csv

    values, lines, cols = read_numeric_csv(
        path, [("V", v_col, V_NAMES, "the bias V [mV]", True), ("G", g_col, G_NAMES, "the conductance dI/dV", True),
               ("err", err_col, ERR_NAMES, "the error of dI/dV", False)], "bias V [mV], dI/dV")
    vc, gc, ec = cols["V"], cols["G"], cols["err"]
    data = _validate(values["V"], values["G"], values.get("err"), str(path), lines)
    return SpectrumData(V=data.V, G=data.G, G_err=data.G_err, source=str(path),
                        columns={"V": vc, "G": gc, "err": ec or "none"})


# ----------------------------------------------------------------------------------- model
def dynes(energy, delta: float, gamma: float) -> np.ndarray:
    """Re[z / sqrt(z^2 - Delta^2)], z = E + i Gamma (meV); see :func:`isingsc.spectroscopy.bulk.dynes_dos`."""
    from isingsc.spectroscopy.bulk import dynes_dos

    return dynes_dos(energy, delta, gamma)


def ising_trace(xi, z, delta: float, beta_so: float, zeeman: float):
    """Tr_e G(xi, z) of the one-valley Ising BdG matrix (module docstring), any shapes broadcasting."""
    h2 = beta_so ** 2 + zeeman ** 2
    w = z * z - xi * xi - h2 - delta * delta
    k2 = xi * xi * h2 + zeeman ** 2 * delta ** 2
    return (2 * (z + xi) * w + 4 * xi * h2) / (w * w - 4 * k2)


def ising_dos(energy, delta: float, gamma: float, beta_so: float, zeeman: float) -> np.ndarray:
    """Normalised DOS of an Ising superconductor (Ising field beta_so, in-plane Zeeman energy b), meV.

    Closed form of the xi integral.  With u = xi, c = z^2 - h^2 - Delta^2 the denominator is
    D = (u^2 - p_1)(u^2 - p_2), p_12 = c + 2h^2 +- 2s, s = sqrt(h^2 (c + h^2) + b^2 Delta^2); the part of
    Tr_e G odd in u integrates to zero and int du/(u^2 - p) = pi/q, q = sqrt(-p) (Re q > 0: no pole on
    the real axis for Im z > 0).  Partial fractions then give

        n(E) = Im{ z [ (1/q_1 + 1/q_2)/2 + 2 h^2 / (q_1 q_2 (q_1 + q_2)) ] },

    symmetric in q_1, q_2 (so the branch of s does not matter) and regular as s -> 0 (h -> 0: BCS).
    gamma > 0 is required.  Checked against :func:`ising_dos_quadrature` in the tests.
    """
    delta = check_range("delta", delta, lo=0.0)
    gamma = check_range("gamma", gamma, lo=0.0, lo_open=True)
    beta = check_range("beta_so", beta_so, lo=0.0)
    b = check_range("zeeman", zeeman, lo=0.0)
    z = np.asarray(energy, dtype=float) + 1j * gamma
    h2 = beta * beta + b * b
    c = z * z - h2 - delta * delta
    s = np.sqrt(h2 * (c + h2) + b * b * delta * delta + 0j)
    q1 = np.sqrt(-(c + 2 * h2 + 2 * s))
    q2 = np.sqrt(-(c + 2 * h2 - 2 * s))
    return np.imag(z * (0.5 * (1 / q1 + 1 / q2) + 2 * h2 / (q1 * q2 * (q1 + q2))))


def ising_dos_quadrature(energy, delta: float, gamma: float, beta_so: float, zeeman: float,
                         n_tail: int = 64) -> np.ndarray:
    """:func:`ising_dos` by numerical xi integration of :func:`ising_trace` (a slow cross-check), meV.

    The xi integral (module docstring) runs over |xi| <= X = max|E| + h + 10 Gamma (every xi where
    a quasiparticle energy E_n(xi) equals some |E| <= max|E| has |xi| <= |E| + h) on Gauss-Legendre
    panels (4 nodes) of width Gamma/2, and over the two tails xi = +-(X + L t/(1-t)),
    L = X + 10 Delta, with ``n_tail`` Gauss nodes in t (smooth there); gamma > 0 is required (the
    integrand has poles on the real xi axis otherwise).
    """
    delta = check_range("delta", delta, lo=0.0)
    gamma = check_range("gamma", gamma, lo=0.0, lo_open=True)
    beta = check_range("beta_so", beta_so, lo=0.0)
    b = check_range("zeeman", zeeman, lo=0.0)
    e = np.atleast_1d(np.asarray(energy, dtype=float))
    h2 = beta * beta + b * b
    X = float(np.abs(e).max()) + math.sqrt(h2) + 10 * gamma
    n_panels = int(np.ceil(2 * X / (0.5 * gamma)))
    if n_panels > 200_000:
        raise ParameterError("gamma", gamma, f"gamma > {4 * X / 200_000:.3g} meV for this bias and gap range")
    x4, w4 = np.polynomial.legendre.leggauss(4)
    edges = np.linspace(-X, X, n_panels + 1)
    half = 0.5 * np.diff(edges)
    xi = ((edges[:-1] + half)[:, None] + half[:, None] * x4).ravel()
    wx = (half[:, None] * w4).ravel()
    tn, tw = np.polynomial.legendre.leggauss(n_tail)
    t = 0.5 * (tn + 1)
    L = X + 10 * delta
    s = L * t / (1 - t)
    ws = 0.5 * tw * L / (1 - t) ** 2
    xi = np.concatenate([xi, X + s, -X - s])
    wx = np.concatenate([wx, ws, ws])
    out = np.empty(len(e))
    for start in range(0, len(e), 256):
        z = (e[start:start + 256] + 1j * gamma)[:, None]
        tr = ising_trace(xi, z, delta, beta, b)
        out[start:start + 256] = -(tr.imag @ wx) / (2 * np.pi)
    return out


def normalised_dos(energy, delta: float, gamma: float, beta_so: float = 0.0, zeeman: float = 0.0) -> np.ndarray:
    """n(E) of the fit model (meV): Dynes, Zeeman-split Dynes, or the Ising form when beta_so > 0."""
    if beta_so > 0:
        return ising_dos(energy, delta, gamma, beta_so, zeeman)
    if zeeman > 0:
        e = np.asarray(energy, dtype=float)
        return 0.5 * (dynes(e - zeeman, delta, gamma) + dynes(e + zeeman, delta, gamma))
    return dynes(energy, delta, gamma)


def model_conductance(V, *, delta: float, temperature: float, gamma: float, scale: float = 1.0,
                      slope: float = 0.0, beta_so: float = 0.0, field: float = 0.0,
                      g: float = G_FACTOR_DEFAULT) -> np.ndarray:
    """G(V) = scale (1 + slope V) int n(E) [-f'(E - eV)] dE; V, delta, gamma, beta_so in meV/mV,
    temperature in K, field in T.  Energy grid step min(Gamma, k_B T, Delta/10)/3 over the bias
    range +- (40 k_B T + 10 Gamma) (-f' < 4e-18 beyond 40 k_B T, so n outside the grid, held at its
    end values, does not matter)."""
    from isingsc.spectroscopy.bulk import thermal_conductance

    V = np.asarray(V, dtype=float)
    kt = K_B_MEV_PER_K * check_range("temperature", temperature, lo=0.0)
    b = 0.5 * g * MU_B_MEV_PER_T * check_range("field", field, lo=0.0)
    scales = [s for s in (gamma, kt, delta / 10) if s > 0]
    step = min(scales) / 3 if scales else 1e-3
    pad = 40 * kt + 10 * gamma + 2 * step
    lo, hi = float(V.min()) - pad, float(V.max()) + pad
    n = int(np.ceil((hi - lo) / step)) + 1
    if n > 400_000:
        raise ParameterError("gamma", gamma, "a broadening (gamma or temperature) above 1e-5 of the bias range")
    e = np.linspace(lo, hi, n)
    dos = normalised_dos(e, delta, gamma, beta_so, b)
    return scale * (1 + slope * V) * thermal_conductance(e, dos, V, kt)


# ----------------------------------------------------------------------------------- fit
PARAMETERS = {
    # name: (unit, description, vary by default)
    "delta": ("meV", "superconducting gap Delta", True),
    "temperature": ("K", "junction temperature (thermal smearing k_B T)", True),
    "gamma": ("meV", "Dynes broadening Gamma", True),
    "scale": ("G units", "normal-state conductance G_N", True),
    "slope": ("1/mV", "linear background (1 + slope V)", False),
    "beta_so": ("meV", "Ising field beta_SO (half the spin splitting)", False),
    "field": ("T", "in-plane field B (Zeeman energy (g/2) mu_B B)", False),
}


def _start_values(data: SpectrumData) -> dict:
    """Delta from the two coherence peaks; G_N from the outer 10 % of the bias range; T and Gamma small."""
    V, G = data.V, data.G
    pos, neg = V > 0, V < 0
    peaks = [abs(V[m][np.argmax(G[m])]) for m in (pos, neg) if m.sum() >= 3]
    vmax = float(np.abs(V).max())
    delta = float(np.mean(peaks)) if peaks else 0.3 * vmax
    delta = min(max(delta, 0.02 * vmax), 0.9 * vmax)
    outer = np.abs(V) >= 0.9 * vmax
    scale = float(np.mean(G[outer])) if outer.any() else float(np.mean(G))
    if not scale > 0:
        raise DataFileError(f"{data.source}: the conductance at the largest |V| is {scale:g} <= 0; expected a "
                            "positive normal-state conductance at high bias")
    # weak coupling: Tc ~ Delta / 1.764 k_B; start at 0.2 Tc
    return {"delta": delta, "temperature": 0.2 * delta / (1.764 * K_B_MEV_PER_K), "gamma": 0.05 * delta,
            "scale": scale, "slope": 0.0, "beta_so": 0.0, "field": 0.0}


@dataclass
class SpectrumFit:
    """Result of :func:`fit_spectrum` (parameters with errors, statistics, data and the fitted curve)."""

    parameters: dict[str, FitParameter]
    chi2: float
    redchi: float
    dof: int
    nfev: int
    data: SpectrumData
    g: float
    warnings: list[str] = field(default_factory=list)

    @property
    def values(self) -> dict:
        return {k: p.value for k, p in self.parameters.items()}

    def model(self, V) -> np.ndarray:
        return model_conductance(np.asarray(V, dtype=float), g=self.g, **self.values)

    def to_dict(self) -> dict:
        d = self.data
        return {"model": "thermally broadened " + ("Ising " if self.values["beta_so"] > 0 else "")
                         + "Dynes-BCS DOS" + (" in a Zeeman field" if self.values["field"] > 0 else ""),
                "parameters": {k: p.as_dict() for k, p in self.parameters.items()},
                "derived": self.derived(),
                "statistics": {"chi2": self.chi2, "redchi": self.redchi, "dof": self.dof, "n_points": len(d),
                               "nfev": self.nfev, "weighted": d.weighted,
                               "ci_method": "covariance (Student-t quantile x standard error)"},
                "warnings": list(self.warnings), "g": self.g,
                "data": {"source": d.source, "V": d.V.tolist(), "G": d.G.tolist(),
                         "G_err": None if d.G_err is None else d.G_err.tolist(), "G_fit": self.model(d.V).tolist()},
                "units": {"V": "mV", "energies": "meV", "temperature": "K", "field": "T", "G": "file units"}}

    def derived(self) -> dict:
        v = self.values
        d, kt = v["delta"], K_B_MEV_PER_K * v["temperature"]
        p = self.parameters["delta"]
        return {"Delta_over_kT": d / kt if kt > 0 else None,
                "Tc_BCS_K": {"value": d / (1.76388 * K_B_MEV_PER_K),
                             "stderr": None if p.stderr is None else p.stderr / (1.76388 * K_B_MEV_PER_K),
                             "unit": "K", "description": "weak-coupling BCS Tc = Delta / 1.764 k_B"},
                "zeeman_energy_meV": 0.5 * self.g * MU_B_MEV_PER_T * v["field"]}

    def to_json(self) -> str:
        from isingsc.core.results import to_jsonable

        return json.dumps(to_jsonable(self.to_dict()), allow_nan=False, indent=1) + "\n"

    def to_dataset(self) -> xr.Dataset:
        from isingsc.experiment.results import finalize_lab

        d = self.data
        fit = self.model(d.V)
        vs = np.linspace(d.V.min(), d.V.max(), 400)
        dv = {"G": ("point", d.G, {"units": "file units", "long_name": "measured dI/dV"}),
              "G_fit": ("point", fit, {"units": "file units"}), "residual": ("point", d.G - fit, {"units": "file units"}),
              "G_curve": ("V_curve", self.model(vs), {"units": "file units"})}
        if d.G_err is not None:
            dv["G_err"] = ("point", d.G_err, {"units": "file units"})
        ds = xr.Dataset(dv, coords={"V": ("point", d.V, {"units": "mV"}), "V_curve": ("V_curve", vs, {"units": "mV"})})
        attrs = {f"{k}": p.value for k, p in self.parameters.items()}
        attrs.update({f"{k}_stderr": p.stderr if p.stderr is not None else "not estimated"
                      for k, p in self.parameters.items() if p.vary})
        attrs.update({f"{k}_unit": p.unit for k, p in self.parameters.items()})
        return finalize_lab(ds, source=d.source, chi2=self.chi2, redchi=self.redchi, dof=self.dof, g=self.g,
                            free=",".join(k for k, p in self.parameters.items() if p.vary),
                            warnings="; ".join(self.warnings) or "none", **attrs)

    def summary(self) -> str:
        lines = [f"fit of {self.data.source} ({len(self.data)} points, "
                 f"{'weighted' if self.data.weighted else 'unweighted'}): chi2_red = {self.redchi:.4g}, dof = {self.dof}"]
        for p in self.parameters.values():
            if p.vary:
                err = f" +/- {p.stderr:.3g}" if p.stderr is not None else " (error not estimated)"
                ci = f", 95 % CI [{p.ci95[0]:.4g}, {p.ci95[1]:.4g}]" if p.ci95 else ""
                lines.append(f"  {p.name} = {p.value:.6g}{err} {p.unit}{ci}")
            else:
                lines.append(f"  {p.name} = {p.value:.6g} {p.unit} (fixed)")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def fit_spectrum(data: SpectrumData, *, fix: dict | None = None, free=None, init: dict | None = None,
                 g: float = G_FACTOR_DEFAULT, gamma_min: float | None = None) -> SpectrumFit:
    """Least-squares fit (lmfit, Levenberg-Marquardt) of dI/dV(V) with the model of the module docstring.

    fix : {name: value} held fixed (e.g. {"field": 2.0} for a spectrum taken at 2 T);
    free : names to vary that are fixed by default ("beta_so", "field", "slope");
    init : starting values; g : g-factor of the Zeeman energy;
    gamma_min : lower bound of Gamma (meV; default 1e-3 x the starting Delta, > 0 so that the DOS
    stays finite).  Returns a :class:`SpectrumFit`; ConvergenceError if the minimiser fails.
    """
    import lmfit

    g = check_range("g", g, lo=0.0, lo_open=True)
    fix, init, free = dict(fix or {}), dict(init or {}), list(free or [])
    for label, names in (("fix", fix), ("init", init), ("free", free)):
        for name in names:
            if name not in PARAMETERS:
                raise ParameterError(label, name, f"one of {', '.join(PARAMETERS)}")
    start = _start_values(data)
    start.update({k: float(v) for k, v in init.items()})
    gmin = 1e-3 * start["delta"] if gamma_min is None else check_range("gamma_min", gamma_min, lo=0.0, lo_open=True)
    bounds = {"delta": (1e-6 * start["delta"], np.inf), "temperature": (1e-3, np.inf), "gamma": (gmin, np.inf),
              "scale": (0.0, np.inf), "slope": (-np.inf, np.inf), "beta_so": (0.0, np.inf), "field": (0.0, np.inf)}
    params = lmfit.Parameters()
    for name, (unit, _desc, default_vary) in PARAMETERS.items():
        vary = (default_vary or name in free) and name not in fix
        value = float(fix.get(name, start[name]))
        lo, hi = bounds[name]
        if vary and value <= lo:
            # a free parameter must not start on its bound (zero slope of lmfit's transform there)
            value = lo + {"beta_so": 0.5 * start["delta"], "field": 0.1}.get(name, 1e-3 * max(abs(lo), 1.0))
        if not lo <= value <= hi:
            raise ParameterError(name, value, f"{lo:g} <= {name} <= {hi:g} {unit}")
        params.add(name, value=value, vary=vary, min=lo, max=hi)
    n_free = sum(p.vary for p in params.values())
    if n_free == 0:
        raise ParameterError("fix", sorted(fix), "at least one free parameter")
    if len(data) <= n_free + 1:
        raise DataFileError(f"{data.source}: {len(data)} points cannot constrain {n_free} free parameters")
    if params["beta_so"].vary or params["beta_so"].value > 0:
        params["gamma"].set(min=max(gmin, 1e-3 * start["delta"]))
    sigma = data.G_err if data.G_err is not None else np.ones_like(data.G)

    def residual(p):
        return (model_conductance(data.V, g=g, **p.valuesdict()) - data.G) / sigma

    _, res, warnings, cov_ok = least_squares(residual, params, data.weighted, "spectrum fit")
    dof = int(res.nfree)
    out: dict[str, FitParameter] = {}
    for name, (unit, desc, _v) in PARAMETERS.items():
        rp = res.params[name]
        fp = fitted_parameter(rp, name, unit, desc, cov_ok, dof)
        if rp.vary:
            lo = bounds[name][0] if name != "gamma" else res.params["gamma"].min
            if np.isfinite(lo) and abs(fp.value - lo) <= 1e-6 * max(abs(fp.value), 1e-12) + 1e-12:
                fp.constrained = False
                fp.note = (fp.note + "; " if fp.note else "") + f"at its lower bound {lo:g} {unit}"
        out[name] = fp
    for fp in out.values():
        if fp.vary and not fp.constrained:
            warnings.append(f"parameter {fp.name} is not constrained by the data ({fp.note})")
    return SpectrumFit(parameters=out, chi2=float(res.chisqr), redchi=float(res.redchi), dof=dof,
                       nfev=int(res.nfev), data=data, g=g, warnings=warnings)
