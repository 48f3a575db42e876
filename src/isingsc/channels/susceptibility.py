"""Linearised gap equation per pairing channel and pair momentum (the pair susceptibility).

For a channel c with real-space amplitudes D_R (:class:`~isingsc.models.channels.PairingChannel`) at pair
momentum Q the BdG Hamiltonian is H0 + Delta P_c(k) with the vertex P_c(k) = [[0, D_c(k)], [D_c(k)^dag, 0]],
D_c(k) = sum_R D_R e^{ik.R}, and the normal-state blocks H(k + Q/2) (particles), -H(-k + Q/2)^* (holes).  The
mean-field free energy of a channel with attraction v_c is Omega = |Delta|^2 / v_c + < sum_n G_T(E_n) >, whose
curvature at Delta = 0 is (the pair-susceptibility form of :mod:`isingsc.meanfield.pairing`)

    Omega''(0) = 2 / v_c - 2 chi_c(Q, T),
    chi_c(Q, T) = -(1/2) < sum_ij 2 |<p_i|D_c(k)|h_j>|^2 (G'_T(a_i) - G'_T(b_j)) / (a_i - b_j) >_BZ,

G'_T(E) = -tanh(E / 2T) / 4, a_i, b_j the particle and hole eigenvalues.  The normal state is unstable in
channel c at momentum Q below Tc_c(Q), the root of v_c chi_c(Q, Tc) = 1; the channel with the highest Tc
wins.  For the on-site s channel at Q = 0 this is the equation of the package's Tc solver
(:meth:`isingsc.meanfield.MeanField.tc` with the same v; tested).  Units: chi in 1/|t| per site, v in |t|
x site, T in |t| (k_B = 1).

The BZ average is the trapezoid rule on an n x n grid of the reciprocal cell (spectrally accurate for the
smooth, periodic integrand at T > 0); n is raised by 1.5x until every Tc (and chi at the lowest temperature
``t_min``, for channels without a transition above it) agrees with the previous grid within ``tol``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from isingsc.backends import pair_curvature
from isingsc.core.errors import ConvergenceError, ParameterError, check_range
from isingsc.core.field import as_field
from isingsc.core.results import finalize
from isingsc.models.catalogue import as_resolved
from isingsc.models.channels import SPIN_PARTNER, channel_list, pair_density_wave, pair_momentum, with_pairing

#: Default pair momenta: uniform pairing and the two intra-pocket momenta of the K pockets.
DEFAULT_MOMENTA = ("0", "2K", "2K'")
#: Temperatures of the coarse scan for the highest root of v chi(T) = 1 (log-spaced from t_min to t_max).
N_BRACKET = 12


class PairingChannels:
    """Tc of each pairing channel at each pair momentum: the linearised gap equation.

    Parameters
    ----------
    model : catalogue name or model (its own pairing is replaced by each channel, on its pairing orbitals).
    channels : names ("p+ip", "p+ip:triplet-up") or PairingChannel values; default every channel and spin.
    momenta : pair momenta ("0", "2K", "2K'", or (qx, qy) in 1/a); default 0, 2K, 2K'.
    attraction : v (|t| x site), one value for every channel or a mapping channel label -> v.
    field : Zeeman field.
    tol : relative tolerance of Tc (default 1 %).
    t_min, t_max : the temperature window (|t|); a channel without a transition above t_min reports Tc = 0.
    n_start, n_max : first and largest grid (points per reciprocal vector).
    """

    def __init__(self, model, channels=None, momenta=DEFAULT_MOMENTA, attraction=1.0, field=None, *,
                 tol: float = 0.01, t_min: float = 2e-3, t_max: float = 1.0, n_start: int = 192,
                 n_max: int = 1536):
        self.resolved = as_resolved(model)
        self.resolved.require("pairing")
        self.resolved.require("real-space")  # a channel lives on the lattice's bonds
        self.channels = channel_list(channels)
        lattice = self.resolved.model.lattice
        if isinstance(momenta, str):
            momenta = [momenta]
        self.momentum_labels = [m if isinstance(m, str) else ",".join(f"{float(x):g}" for x in m) for m in momenta]
        if not self.momentum_labels:
            raise ParameterError("momenta", momenta, "at least one pair momentum")
        self.momenta = [pair_momentum(m, lattice) for m in momenta]
        if isinstance(attraction, dict):
            labels = {c.label for c in self.channels} | {c.name for c in self.channels}
            for key in attraction:
                if key not in labels:
                    raise ParameterError("attraction", key, f"a channel of this run ({', '.join(sorted(labels))})")
            self.attraction = {c.label: check_range(f"attraction[{c.label}]",
                                                    attraction.get(c.label, attraction.get(c.name, 0.0)), lo=0.0)
                               for c in self.channels}
        else:
            v = check_range("attraction", attraction, lo=0.0, lo_open=True, hi=100.0)
            self.attraction = {c.label: v for c in self.channels}
        self.field = as_field(field)
        self.tol = check_range("tol", tol, lo=1e-6, hi=0.5)
        self.t_min = check_range("t_min", t_min, lo=0.0, lo_open=True)
        self.t_max = check_range("t_max", t_max, lo=self.t_min, lo_open=True, hi=20.0)
        self.n_start = int(check_range("n_start", n_start, lo=8, hi=8192))
        self.n_max = int(check_range("n_max", n_max, lo=self.n_start, hi=8192))
        self._spectra: dict = {}

    # ------------------------------------------------------------------ the kernel
    def _spectrum(self, iq: int, n: int):
        key = (iq, n)
        if key not in self._spectra:
            model = self.resolved.model
            q = self.momenta[iq]
            f = (np.arange(n) + 0.5) / n
            k = (f[:, None, None] * model.lattice.reciprocal[0] + f[None, :, None] * model.lattice.reciprocal[1])
            k = k.reshape(-1, 2)
            e_p, u_p = np.linalg.eigh(model.hamiltonian(k + q / 2, self.field))
            e_h, u_h = np.linalg.eigh(-np.conj(model.hamiltonian(-k + q / 2, self.field)))
            self._spectra = {kk: v for kk, v in self._spectra.items() if kk[1] == n}  # keep one grid size
            self._spectra[key] = (k, e_p, u_p, e_h, u_h)
        return self._spectra[key]

    def _p2(self, channel, iq: int, n: int) -> np.ndarray:
        k, _e_p, u_p, _e_h, u_h = self._spectrum(iq, n)
        d = with_pairing(self.resolved.model, channel).pairing_function(k, 1.0)
        return np.abs(np.swapaxes(u_p.conj(), -1, -2) @ d @ u_h) ** 2

    def _chi(self, channel, iq: int, n: int):
        """chi(T) for an array of T (1/|t|) on the n x n grid."""
        _k, e_p, _u_p, e_h, _u_h = self._spectrum(iq, n)
        p2 = self._p2(channel, iq, n)
        w = np.full(len(e_p), 1.0 / len(e_p))
        return lambda T: -0.5 * pair_curvature(e_p, e_h, p2, w, np.atleast_1d(np.asarray(T, dtype=float)))

    def _tc(self, channel, iq: int, n: int) -> tuple[float, float]:
        """(Tc, chi(t_min)) on the n x n grid; Tc = 0 when v chi(t_min) < 1."""
        v = self.attraction[channel.label]
        chi = self._chi(channel, iq, n)
        temps = np.geomspace(self.t_min, self.t_max, N_BRACKET)
        values = v * chi(temps)
        if v == 0.0 or not np.any(values >= 1.0):
            return 0.0, float(values[0] / v) if v else float(chi(self.t_min)[0])
        if values[-1] >= 1.0:
            raise ConvergenceError(f"channel {channel.label} at Q = {self.momentum_labels[iq]}: v chi >= 1 up to "
                                   f"T = {self.t_max:g} |t| (attraction {v:g} too strong for the window)",
                                   quantity="Tc", suggestion="lower the attraction or raise t_max")
        # the highest root (chi(T) need not be monotone in a field or at finite Q), found in log T
        i = int(np.nonzero(values >= 1.0)[0].max())
        log_tc = brentq(lambda x: v * float(chi(np.exp(x))[0]) - 1.0, np.log(temps[i]), np.log(temps[i + 1]),
                        xtol=1e-9, rtol=1e-12)
        return float(np.exp(log_tc)), float(values[0] / v)

    # ------------------------------------------------------------------ results
    def critical_temperatures(self) -> xr.Dataset:
        """Tc (|t|) per channel and pair momentum, converged in the grid, with the leading channel.

        Variables: ``Tc`` (channel, momentum), ``chi_at_t_min`` (1/|t|), ``attraction``; attrs: the leading
        channel and momentum, the grid, the achieved tolerance."""
        n = self.n_start
        previous = None
        while True:
            tcs = np.zeros((len(self.channels), len(self.momenta)))
            chis = np.zeros_like(tcs)
            for iq in range(len(self.momenta)):
                for ic, ch in enumerate(self.channels):
                    tcs[ic, iq], chis[ic, iq] = self._tc(ch, iq, n)
            if previous is not None:
                ptc, pchi, pn = previous
                scale = np.maximum(np.abs(tcs), self.t_min)
                change = float(max(np.max(np.abs(tcs - ptc) / scale),
                                   np.max(np.abs(chis - pchi) / np.maximum(np.abs(chis), 1e-300))))
                if change <= self.tol:
                    return self._dataset(tcs, chis, n, pn, change)
            if n >= self.n_max:
                achieved = None if previous is None else change
                raise ConvergenceError(f"channel Tc's did not converge to {self.tol:g} up to a {n}x{n} grid "
                                       f"(last change {achieved})", quantity="Tc per channel", achieved=achieved,
                                       requested=self.tol, resolution=f"{n}x{n}",
                                       suggestion="raise t_min (the grid resolves T ~ v_F |b| / n) or n_max")
            previous = (tcs, chis, n)
            n = min(self.n_max, int(np.ceil(n * 1.5 / 8) * 8))

    def _dataset(self, tcs, chis, n, n_previous, change) -> xr.Dataset:
        labels = [c.label for c in self.channels]
        ds = xr.Dataset({
            "Tc": (("channel", "momentum"), tcs, {"units": "|t|", "long_name": "critical temperature (k_B = 1); "
                                                   "0: no transition above t_min"}),
            "chi_at_t_min": (("channel", "momentum"), chis, {"units": "1/|t|", "long_name": "pair susceptibility "
                                                              "at T = t_min"}),
            "attraction": (("channel",), np.array([self.attraction[x] for x in labels]), {"units": "|t| x site"}),
        }, coords={"channel": labels, "momentum": self.momentum_labels,
                   "qx": (("momentum",), np.array([q[0] for q in self.momenta]), {"units": "1/a"}),
                   "qy": (("momentum",), np.array([q[1] for q in self.momenta]), {"units": "1/a"})})
        ic, iq = np.unravel_index(int(np.argmax(tcs)), tcs.shape)
        lead = labels[ic] if tcs[ic, iq] > 0 else "none"
        return finalize(ds, model=self.resolved, **self.field.attrs(), grid=f"{n}x{n}",
                        agrees_with_grid=f"{n_previous}x{n_previous}", tolerance=self.tol, achieved_tolerance=change,
                        t_min=self.t_min, t_max=self.t_max, leading_channel=lead,
                        leading_momentum=self.momentum_labels[iq] if lead != "none" else "none",
                        leading_Tc=float(tcs[ic, iq]))

    def susceptibility(self, temperatures, n: int | None = None) -> xr.Dataset:
        """chi_c(Q, T) (1/|t|) on the n x n grid (default ``n_start``) for each channel, momentum and T."""
        temps = np.atleast_1d(np.asarray(temperatures, dtype=float))
        if np.any(~np.isfinite(temps)) or np.any(temps <= 0):
            raise ParameterError("temperatures", temperatures, "finite T > 0 (|t|)")
        n = self.n_start if n is None else int(check_range("n", n, lo=8, hi=8192))
        chi = np.array([[self._chi(ch, iq, n)(temps) for iq in range(len(self.momenta))] for ch in self.channels])
        ds = xr.Dataset({"chi": (("channel", "momentum", "T"), chi, {"units": "1/|t|", "long_name": "pair "
                                                                       "susceptibility"})},
                        coords={"channel": [c.label for c in self.channels], "momentum": self.momentum_labels,
                                "T": ("T", temps, {"units": "|t|"})})
        return finalize(ds, model=self.resolved, **self.field.attrs(), grid=f"{n}x{n}")

    def leading(self, delta: float | None = None) -> xr.Dataset:
        """The leading channel and momentum, its Tc and (at Q = 0) the Chern number of the state with gap
        amplitude ``delta`` (default 1.76 Tc; the state's BdG gap is checked first).  At Q != 0 a single-Q state
        leaves the opposite pocket unpaired: at Q = 2K or 2K' with equal-spin pairing the Chern number is that of the
        pair-density wave with the partner pocket paired alike (:func:`~isingsc.models.channels.pair_density_wave`);
        otherwise a gapless state's is reported as not defined."""
        from isingsc.topology.chern import Chern

        ds = self.critical_temperatures()
        lead = ds.attrs["leading_channel"]
        out = {"chern_number": None, "chern_note": ""}
        if lead == "none":
            out["chern_note"] = "no channel has a transition above t_min"
        else:
            ch = self.channels[[c.label for c in self.channels].index(lead)]
            q = self.momenta[self.momentum_labels.index(ds.attrs["leading_momentum"])]
            amp = 1.76 * ds.attrs["leading_Tc"] if delta is None else check_range("delta", delta, lo=0.0, lo_open=True)
            state = with_pairing(self.resolved.model, ch, momentum=q)
            lattice = self.resolved.model.lattice
            two_k = [pair_momentum(x, lattice) for x in ("2K", "2K'")]
            for i, target in enumerate(two_k):
                if np.allclose(q, target) and ch.spin in SPIN_PARTNER:
                    # the winner at 2K (2K') pairs one pocket: its topology is that of the pair-density wave with
                    # the time-reversed partner in the other pocket, the same chirality
                    state = pair_density_wave(self.resolved.model, ch.name, ch.spin if i == 0 else SPIN_PARTNER[ch.spin])
            try:
                c = Chern(state, amp, self.field).chern_number()
                out["chern_number"] = int(c.chern_number)
                out["chern_note"] = f"gap {float(c.gap):.3g} |t| at Delta = {amp:.3g} |t|, grid {c.attrs['grid']}"
            except ParameterError as exc:
                out["chern_note"] = f"not defined: {exc}"
            except ConvergenceError as exc:
                out["chern_note"] = f"not resolved: {exc}"
        ds.attrs["leading_chern_number"] = "none" if out["chern_number"] is None else out["chern_number"]
        ds.attrs["leading_chern_note"] = out["chern_note"]
        return ds


def leading_channel_map(depths, splittings, *, channels=None, momenta=DEFAULT_MOMENTA, attraction=1.0,
                        **options) -> xr.Dataset:
    """The leading channel of the hole-doped TMD (:func:`~isingsc.models.families.hole_doped_parameters`)
    over the Fermi level's depth below the upper band's top and the spin splitting at K (|t|): Tc of every
    channel and momentum at each point, and the index of the winner (-1: none above t_min)."""
    from isingsc.models.catalogue import resolve
    from isingsc.models.families import hole_doped_parameters

    depths = np.atleast_1d(np.asarray(depths, dtype=float))
    splittings = np.atleast_1d(np.asarray(splittings, dtype=float))
    blocks, attrs = [], {}
    for d in depths:
        row = []
        for s in splittings:
            model = resolve("hole-tmd", parameters=hole_doped_parameters(d, s))
            ds = PairingChannels(model, channels, momenta, attraction, **options).critical_temperatures()
            row.append(ds["Tc"].values)
            attrs = ds.attrs
        blocks.append(row)
    tc = np.array(blocks)  # (depth, splitting, channel, momentum)
    flat = tc.reshape(tc.shape[:2] + (-1,))
    winner = np.where(flat.max(-1) > 0, np.argmax(flat, -1), -1)
    labels = list(ds["channel"].values)
    mom = list(ds["momentum"].values)
    out = xr.Dataset({
        "Tc": (("depth", "splitting", "channel", "momentum"), tc, {"units": "|t|"}),
        "leading": (("depth", "splitting"), winner, {"units": "1", "long_name": "index into channel x momentum "
                                                                                "(row-major); -1: none"}),
    }, coords={"depth": ("depth", depths, {"units": "|t|", "long_name": "Fermi level below the upper band's top"}),
               "splitting": ("splitting", splittings, {"units": "|t|", "long_name": "spin splitting at K"}),
               "channel": labels, "momentum": mom})
    out.attrs.update({k: v for k, v in attrs.items() if k in ("isingsc_version", "energy_units", "tolerance",
                                                              "t_min", "t_max")})
    out.attrs["leading_labels"] = ";".join(f"{c} @ {m}" for c in labels for m in mom)
    return out
