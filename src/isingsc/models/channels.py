"""Pairing channels on the lattice, pair momentum and supercells: pairing as data in the model.

A channel is a lattice form factor times a spin structure.  On the nearest-neighbour bonds delta_j
(bond angle theta_j) of the model's lattice the real-space amplitude per unit Delta is

    D_{delta_j} = (1/2) g(theta_j) S (x) 1_pairing-orbitals,        D(k) = sum_j D_{delta_j} e^{i k.delta_j}

so that the form factor is f(k) = (1/2) sum_j g(theta_j) e^{i k.delta_j} (on the triangular lattice
f = C(k) for extended s, the paper's structure factor).  The channels (Sigrist & Ueda, Rev. Mod. Phys. 63,
239 (1991); on the triangular lattice e.g. Black-Schaffer & Honerkamp, J. Phys.: Condens. Matter 26,
423201 (2014)):

=============  ================  ==========  =======================================
channel        g(theta)          parity      spin structures
=============  ================  ==========  =======================================
s              on-site, 1        even        singlet
extended-s     1                 even        singlet
d+id, d-id     exp(+-2 i theta)  even        singlet
p+ip, p-ip     exp(+-i theta)    odd         triplet-z, triplet-up, triplet-down
f              cos(3 theta)      odd         triplet-z, triplet-up, triplet-down
=============  ================  ==========  =======================================

(f needs the six neighbours of the triangular lattice, where cos 3 theta_j = (-1)^j.)  Spin structures
S (the 2 x 2 block of D in the basis up, down): singlet -i sigma_y (the package's on-site convention,
the paper's Delta sigma_y tau_y); triplet-z (d || z) (d.sigma) i sigma_y = sigma_x, pairing up with down
(S_z = 0); triplet-up [[1, 0], [0, 0]] and triplet-down [[0, 0], [0, 1]] (equal-spin pairing, the
"spinless" pockets of a hole-doped TMD).  Pauli: singlets need even g, triplets odd g.

Pair momentum: :func:`with_pairing` sets Q (H_BdG pairs k + Q/2 with -k + Q/2); :func:`pair_momentum`
reads "0", "2K", "2K'" or two numbers.  On a lattice with bond pairing Q matters modulo 2G, not G (the
phase Q.(r + R/2) lives on bond centres): 2K and K' are different states; the package takes Q as given.

:func:`supercell` rebuilds any model on a supercell (integer matrix of its vectors in the primitive ones),
its pairing at momentum Q becoming an ordinary (Q = 0) pairing of the supercell when Q is commensurate
(Q.A_i in 2 pi Z).  The sqrt3 x sqrt3 cell makes Q = 2K commensurate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from isingsc.core.errors import ParameterError
from isingsc.lattice.triangular import BravaisLattice
from isingsc.models.base import SIGMAX, SIGMAY, TightBindingModel

#: Channel -> (angular momentum l of g = e^{i l theta}, or "onsite" / "cos3"), parity.
CHANNELS: dict[str, tuple[object, str]] = {
    "s": ("onsite", "even"),
    "extended-s": (0, "even"),
    "d+id": (2, "even"),
    "d-id": (-2, "even"),
    "p+ip": (1, "odd"),
    "p-ip": (-1, "odd"),
    "f": ("cos3", "odd"),
}

#: Spin structure -> the 2 x 2 spin block S of D (basis up, down).
SPIN_STRUCTURES: dict[str, np.ndarray] = {
    "singlet": -1j * SIGMAY,
    "triplet-z": SIGMAX.copy(),
    "triplet-up": np.array([[1, 0], [0, 0]], dtype=complex),
    "triplet-down": np.array([[0, 0], [0, 1]], dtype=complex),
}

#: sqrt3 x sqrt3 supercell of the triangular lattice (rows: A1 = a1 + a2, A2 = 2 a2 - a1).
SQRT3_SUPERCELL = ((1, 1), (-1, 2))


@dataclass(frozen=True)
class PairingChannel:
    """A pairing channel: ``name`` (one of :data:`CHANNELS`) and ``spin`` (one of :data:`SPIN_STRUCTURES`;
    default singlet for even channels, triplet-z for odd ones)."""

    name: str = "s"
    spin: str | None = None

    def __post_init__(self):
        if self.name not in CHANNELS:
            raise ParameterError("channel", self.name, " | ".join(CHANNELS))
        parity = CHANNELS[self.name][1]
        spin = self.spin or ("singlet" if parity == "even" else "triplet-z")
        if spin not in SPIN_STRUCTURES:
            raise ParameterError("spin", spin, " | ".join(SPIN_STRUCTURES))
        if (spin == "singlet") != (parity == "even"):
            allowed = "singlet" if parity == "even" else "triplet-z | triplet-up | triplet-down"
            raise ParameterError("spin", spin, f"{allowed} for the {parity} channel {self.name} (Pauli principle: "
                                 "singlets are even in k, triplets odd)")
        object.__setattr__(self, "spin", spin)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.spin})"

    def bond_factors(self, lattice: BravaisLattice) -> dict[tuple[int, int], complex]:
        """g per offset (on-site: {(0, 0): 1}; bonds: (1/2) g(theta) on each nearest neighbour)."""
        kind = CHANNELS[self.name][0]
        if kind == "onsite":
            return {(0, 0): 1.0 + 0j}
        nn = lattice.nearest_neighbours
        if kind == "cos3" and len(nn) != 6:
            raise ParameterError("channel", self.name, "a lattice with six nearest neighbours (triangular): "
                                 f"this one has {len(nn)}")
        out = {}
        for off in nn:
            x, y = np.array(off, dtype=float) @ lattice.primitive
            theta = np.arctan2(y, x)
            g = np.cos(3 * theta) if kind == "cos3" else np.exp(1j * kind * theta)
            out[off] = 0.5 * complex(np.round(g.real, 14) + 1j * np.round(g.imag, 14))
        return out

    def form_factor(self, k, lattice: BravaisLattice) -> np.ndarray:
        """f(k) = sum_R g_R exp(i k.R) (the scalar factor of D(k) = f(k) S per unit Delta)."""
        k = np.asarray(k, dtype=float)
        out = np.zeros(k.shape[:-1], dtype=complex)
        for off, g in self.bond_factors(lattice).items():
            out += g * np.exp(1j * (k @ (np.array(off, dtype=float) @ lattice.primitive)))
        return out

    def terms(self, model: TightBindingModel) -> dict[tuple[int, int], np.ndarray]:
        """Real-space pairing amplitudes D_R of this channel on ``model``'s pairing orbitals (intra-orbital)."""
        if not model.pairing_orbitals:
            raise ParameterError("model", model.name, "a model with pairing orbitals (a channel pairs them)")
        mask = np.diag([float(o in model.pairing_orbitals) for o in model.orbitals])
        block = np.kron(mask, SPIN_STRUCTURES[self.spin])
        return {off: g * block for off, g in self.bond_factors(model.lattice).items()}


def channel_list(spec=None) -> list[PairingChannel]:
    """Channels from names ("p+ip", "p+ip:triplet-up") or :class:`PairingChannel` values; default: every
    channel with every allowed spin structure."""
    if spec is None:
        out = []
        for name, (_kind, parity) in CHANNELS.items():
            spins = ("singlet",) if parity == "even" else ("triplet-z", "triplet-up", "triplet-down")
            out += [PairingChannel(name, s) for s in spins]
        return out
    if isinstance(spec, (str, PairingChannel)):
        spec = [spec]
    out = []
    for item in spec:
        if isinstance(item, PairingChannel):
            out.append(item)
        else:
            name, _, spin = str(item).strip().partition(":")
            out.append(PairingChannel(name.strip(), spin.strip() or None))
    if not out:
        raise ParameterError("channels", spec, "at least one channel")
    return out


def pair_momentum(spec, lattice: BravaisLattice | None = None) -> np.ndarray:
    """Pair momentum Q (cartesian, 1/a) from "0" (or "Γ"), "2K", "2K'", "K", "K'" (the triangular lattice's
    corners) or two numbers."""
    from isingsc.lattice.triangular import LATTICE

    lattice = lattice or LATTICE
    if isinstance(spec, str):
        key = spec.strip().replace("′", "'")
        named = {"0": (0.0, 0.0), "Γ": (0.0, 0.0), "G": (0.0, 0.0)}
        if key in named:
            return np.array(named[key])
        points = getattr(lattice, "high_symmetry_points", {})
        factor, name = (2.0, key[1:]) if key.startswith("2") else (1.0, key)
        if name in points:
            return factor * np.asarray(points[name], dtype=float)
        try:
            spec = [float(x) for x in key.split(",")]
        except ValueError:
            raise ParameterError("pair_momentum", spec, "0, 2K, 2K', K, K' or two numbers qx,qy (1/a)") from None
    q = np.asarray(spec, dtype=float)
    if q.shape != (2,) or not np.all(np.isfinite(q)):
        raise ParameterError("pair_momentum", spec, "0, 2K, 2K', K, K' or two finite numbers qx,qy (1/a)")
    return q


def with_pairing(model, channel: PairingChannel | str = "s", *, spin: str | None = None,
                 momentum=(0.0, 0.0)) -> TightBindingModel:
    """``model`` (a TightBindingModel or a catalogue model) with its pairing replaced by ``channel`` at pair
    momentum ``momentum`` (see :func:`pair_momentum`)."""
    base = getattr(model, "model", model)
    if not isinstance(base, TightBindingModel):
        raise ParameterError("model", getattr(base, "name", type(base).__name__),
                             "a lattice model with hoppings (a TightBindingModel)")
    ch = channel if isinstance(channel, PairingChannel) else PairingChannel(channel, spin)
    q = pair_momentum(momentum, base.lattice)
    return replace(base, pairing_terms=ch.terms(base), pair_momentum=(float(q[0]), float(q[1])),
                   pairing_channel=ch.label)


def supercell(model: TightBindingModel, cell) -> TightBindingModel:
    """``model`` on the supercell whose vectors are the rows of the integer matrix ``cell`` (in units of the
    primitive vectors), with zero pair momentum: a pair momentum Q of ``model`` becomes the bond phases
    exp(i Q.(r + R/2)) of the supercell's pairing, which needs Q.A_i in 2 pi Z (ParameterError otherwise).

    Orbitals are named ``"<orbital>@<site>"``, sites ordered as :func:`supercell_sites`.  The supercell's
    spectrum at kappa is the union of the model's at k = kappa + g - Q/2 over the supercell's reciprocal
    vectors g modulo the model's (tested).
    """
    cell = np.asarray(cell)
    if cell.shape != (2, 2) or not np.all(cell == np.round(cell)):
        raise ParameterError("cell", cell.tolist(), "a 2x2 integer matrix (rows: supercell vectors in a1, a2)")
    cell = cell.astype(int)
    n_sites = int(round(abs(np.linalg.det(cell))))
    if n_sites == 0:
        raise ParameterError("cell", cell.tolist(), "two linearly independent supercell vectors (det != 0)")
    A = cell @ model.lattice.primitive
    q = np.asarray(model.pair_momentum)
    winding = A @ q / (2 * np.pi)
    if not np.allclose(winding, np.round(winding), atol=1e-9):
        raise ParameterError("pair_momentum", [round(float(x), 6) for x in q],
                             f"a Q commensurate with the supercell {cell.tolist()} (Q.A_i / 2 pi integer; it is "
                             f"{[round(float(w), 6) for w in winding]})")
    sites = supercell_sites(cell)
    inv = np.linalg.inv(cell.T.astype(float))
    dim = model.dim
    big = n_sites * dim

    def locate(n):  # lattice coordinates -> (supercell offset, site index)
        frac = inv @ np.asarray(n, dtype=float)
        m = np.floor(frac + 1e-9).astype(int)
        rest = tuple(int(x) for x in np.round(np.asarray(n) - cell.T @ m))
        return (int(m[0]), int(m[1])), sites.index(rest)

    hop: dict[tuple[int, int], np.ndarray] = {}
    pair: dict[tuple[int, int], np.ndarray] = {}
    for s, n_s in enumerate(sites):
        r_s = np.array(n_s, dtype=float) @ model.lattice.primitive
        for table, source, phased in ((hop, model.hoppings, False), (pair, model.pairing_terms, True)):
            for off, mat in source.items():
                m, t = locate(np.array(n_s) + np.array(off))
                blk = table.setdefault(m, np.zeros((big, big), dtype=complex))
                phase = np.exp(1j * q @ (r_s + 0.5 * np.array(off, dtype=float) @ model.lattice.primitive)) \
                    if phased else 1.0
                blk[s * dim:(s + 1) * dim, t * dim:(t + 1) * dim] += phase * mat
    names = tuple(f"{o}@{s}" for s in range(n_sites) for o in model.orbitals)
    return TightBindingModel(
        name=f"{model.name}[{n_sites}-site cell]", orbitals=names, hoppings=hop,
        zeeman_coupling=model.zeeman_coupling * n_sites,
        pairing_orbitals=tuple(f"{o}@{s}" for s in range(n_sites) for o in model.pairing_orbitals),
        lattice=BravaisLattice(tuple(A[0]), tuple(A[1])), parameters=dict(model.parameters),
        pairing_scale=model.pairing_scale, pairing_terms=pair or None, pairing_channel=model.pairing_channel)


def supercell_sites(cell) -> list[tuple[int, int]]:
    """The lattice points (n1, n2) inside the supercell ``cell`` (fractional coordinates in [0, 1)), sorted."""
    cell = np.asarray(cell, dtype=int)
    inv = np.linalg.inv(cell.T.astype(float))
    reach = int(np.abs(cell).sum())
    out = []
    for i in range(-reach, reach + 1):
        for j in range(-reach, reach + 1):
            f = inv @ np.array([i, j], dtype=float)
            if np.all(f >= -1e-9) and np.all(f < 1 - 1e-9):
                out.append((i, j))
    return sorted(out)


def folded_momenta(cell, lattice: BravaisLattice) -> np.ndarray:
    """The supercell's reciprocal vectors g modulo the primitive reciprocal lattice (cartesian, (n_sites, 2))."""
    cell = np.asarray(cell, dtype=int)
    n_sites = int(round(abs(np.linalg.det(cell))))
    B = 2 * np.pi * np.linalg.inv(cell @ lattice.primitive).T
    found = []
    for i in range(n_sites):
        for j in range(n_sites):
            g = i * B[0] + j * B[1]
            f = lattice.cartesian_to_fractional(g)
            f = f - np.floor(f + 1e-9)
            if not any(np.allclose(f, h, atol=1e-9) for h in found):
                found.append(f)
    return lattice.fractional_to_cartesian(np.array(found))


def superpose(states) -> TightBindingModel:
    """One model whose pairing is the sum of the pairings of ``states`` (the same normal state, lattice and pair
    momentum; each state's pairing_scale folded in): e.g. the pair-density wave with momenta 2K and 2K' on the
    sqrt3 x sqrt3 supercell, ``superpose([supercell(a, SQRT3_SUPERCELL), supercell(b, SQRT3_SUPERCELL)])``."""
    states = list(states)
    if not states or not all(isinstance(s, TightBindingModel) for s in states):
        raise ParameterError("states", len(states), "one or more TightBindingModel values")
    first = states[0]
    terms: dict[tuple[int, int], np.ndarray] = {}
    for s in states:
        same = (s.orbitals == first.orbitals and set(s.hoppings) == set(first.hoppings)
                and all(np.allclose(s.hoppings[r], first.hoppings[r], atol=1e-12) for r in s.hoppings)
                and np.allclose(s.lattice.primitive, first.lattice.primitive)
                and np.allclose(s.pair_momentum, first.pair_momentum))
        if not same:
            raise ParameterError("states", s.name, "states of one normal state (orbitals, hoppings, lattice) and one "
                                 "pair momentum (build finite-Q states on a common supercell first)")
        for r, m in s.pairing_terms.items():
            terms[r] = terms.get(r, 0) + s.pairing_scale * m
    return replace(first, pairing_terms=terms or None, pairing_scale=1.0,
                   pairing_channel=" + ".join(s.pairing_channel for s in states))


#: The spin partner of an equal-spin structure (time reversal flips the spin).
SPIN_PARTNER = {"triplet-up": "triplet-down", "triplet-down": "triplet-up"}


def pair_density_wave(model, channel: PairingChannel | str = "p+ip", spin: str = "triplet-down") -> TightBindingModel:
    """The intra-pocket pair-density wave of a K-pocket model on the sqrt3 x sqrt3 supercell: ``channel`` with the
    equal-spin structure ``spin`` at Q = 2K plus the same channel with the opposite spin at Q = 2K' (each pocket
    pairs with itself; on the spin-valley-locked pockets of a hole-doped TMD with beta_SO > 0 the K pocket is spin
    down).  Same chirality in both pockets: |C| = 2 (tested); a time-reversal pair (p+ip with p-ip) would give 0."""
    if spin not in SPIN_PARTNER:
        raise ParameterError("spin", spin, "triplet-up | triplet-down (equal-spin pairing within one pocket)")
    name = channel.name if isinstance(channel, PairingChannel) else channel
    first = with_pairing(model, PairingChannel(name, spin), momentum="2K")
    second = with_pairing(model, PairingChannel(name, SPIN_PARTNER[spin]), momentum="2K'")
    return superpose([supercell(first, SQRT3_SUPERCELL), supercell(second, SQRT3_SUPERCELL)])
