"""The model catalogue: the one place that turns a model name (or a model file) into a model.

Every command, sweep, figure and Python call resolves models here::

    import isingsc
    m = isingsc.model("intrinsic", mu=2.7, beta_so=0.01)     # a ResolvedModel
    m = isingsc.model(file="my_model.toml", beta=0.05)        # a TOML model file, a parameter overridden
    isingsc.MeanField(m).hc2()

A :class:`ModelEntry` holds, for one built-in model: its builder and parameter set (a dataclass with
defaults, validated; any parameter can be overridden by name), the reference (normalisation) model
whose Tc and Pauli field HP = Delta0/sqrt2 normalise the phase diagram, its default zero-field gap
Delta0, the TOML model file it ships as, and its symmetry facts (:mod:`isingsc.models.symmetry`).
:func:`resolve` returns a :class:`ResolvedModel`: the model, its reference, the parameters, the
facts (structural facts declared by the entry, Fermi pockets detected for the actual parameters)
and what the commands print about it.  :meth:`ResolvedModel.require` refuses, in physics terms,
an observable the model cannot give (a winding number without chiral symmetry, a gap without
pairing, a ribbon of a model without real-space hoppings).

The paper's two effective models have two names: ``eq8-static`` is the literal Eq. 8 (the TMD
integrated out at omega = 0; k-space only, with poles where a TMD band crosses zero) and
``effective-fit`` the Eq. 8-form single-layer model fitted to the exact heterostructure
(:func:`~isingsc.models.paper.fit_effective_model`).  ``effective`` alone is an error naming both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.models.base import NambuModel
from isingsc.models.symmetry import SymmetryFacts, detect_facts, fermi_pockets

PAPER_SOURCE = "model paper (shared/papers/004)"


@dataclass(frozen=True)
class ModelEntry:
    """One built-in model of the catalogue.

    build(params) -> model; reference(params) -> its normalisation model (None: the model itself);
    defaults: the parameter dataclass instance with the default values (``with_``, ``as_attrs``);
    accepts: the parameter names this model uses (default: every field of ``defaults``);
    aliases: other names a parameter may be given by (e.g. the command line's ``t_sc`` for the
    intrinsic layer's ``t``); delta0: default zero-field gap (|t|); file: the shipped TOML model
    file (``isingsc/data/models/<file>``) or None; facts: declared structural symmetry facts.
    """

    name: str
    family: str
    description: str
    source: str
    defaults: object
    build: Callable[[object], object]
    reference: Callable[[object], object] | None
    delta0: float
    file: str | None
    facts: SymmetryFacts
    accepts: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return self.accepts if self.accepts is not None else tuple(self.defaults.as_attrs())

    def canonical_parameter(self, name: str, value=None) -> str:
        """The parameter a user's name refers to (aliases resolved); ParameterError if none."""
        key = self.aliases.get(name, name)
        if key not in self.parameter_names:
            names = ", ".join(self.parameter_names)
            raise ParameterError(name, value, f"one of {names}",
                                 reason=f"model {self.name!r} has no parameter {name!r} (its parameters: {names})")
        return key

    def parameters(self, overrides: Mapping[str, float] | None = None):
        """The parameter dataclass with ``overrides`` applied (names or aliases), validated."""
        changes: dict[str, object] = {}
        for name, value in (overrides or {}).items():
            key = self.canonical_parameter(name, value)
            if key in changes:
                raise ParameterError(name, value, "one value per parameter", reason=f"{key} is given twice")
            changes[key] = value
        return self.defaults.with_(**changes) if changes else self.defaults


@dataclass(frozen=True)
class ResolvedModel:
    """A model with its catalogue context: what every solver and command needs around it.

    model / reference : the model and its normalisation model (Tc and HP = Delta0/sqrt2 of the
    reference normalise T and H; the model itself unless stated); name : catalogue name or the
    file's [model] name; source : "built-in" or the file's path; delta0 : default zero-field gap
    (|t|); parameters : the parameter values (|t|); facts : symmetry facts; file_text : the TOML
    text of a model file (so that a worker process can rebuild it), else None.
    """

    model: object
    reference: object
    name: str
    source: str
    description: str
    citation: str
    delta0: float
    parameters: Mapping[str, float]
    facts: SymmetryFacts
    family: str = "model file"
    file_text: str | None = None

    def require(self, capability: str) -> None:
        """Raise :class:`ModelCapabilityError` (one line, the physics reason) if the model cannot give
        ``capability``: "pairing" (Tc, gaps, Hc2, spectra), "winding" (chiral symmetry at fixed ky),
        "real-space" (ribbons, edges, Green's functions of a lattice with hoppings)."""
        if capability == "pairing" and not self.facts.pairing:
            raise ModelCapabilityError(self.name, "superconducting state",
                                       "it has no pairing orbital (a normal metal: give [pairing] orbitals)")
        if capability == "winding":
            if not self.facts.pairing:
                raise ModelCapabilityError(self.name, "winding number", "it has no pairing (no BdG gap to classify)")
            if not self.facts.chiral:
                raise ModelCapabilityError(self.name, "winding number W(ky)",
                                           "its Hamiltonian at fixed ky has no chiral symmetry C = sigma_x tau_y "
                                           "(in-plane spin-orbit terms such as Rashba break it): the 1D class is "
                                           "D, not BDI, and W is not an invariant")
            if not self.facts.real_space:
                raise ModelCapabilityError(self.name, "winding number W(ky)",
                                           "its k-space Hamiltonian has poles (the static self-energy diverges "
                                           "where a TMD band crosses zero), so det A winds around them: use "
                                           "effective-fit or heterostructure")
        if capability == "real-space" and not self.facts.real_space:
            raise ModelCapabilityError(self.name, "real-space lattice (ribbon, edge, Green's function)",
                                       "it is defined in k space only (the static self-energy Sigma(k, 0) has "
                                       "poles, so its hoppings do not decay): use effective-fit or "
                                       "heterostructure")
        if capability not in ("pairing", "winding", "real-space"):
            raise ParameterError("capability", capability, "pairing | winding | real-space")

    def describe(self) -> dict:
        """The model's attrs plus its catalogue name, source and facts (NetCDF-friendly)."""
        out = dict(self.model.describe())
        out.update(catalogue_name=self.name, model_source=self.source, delta0_default=self.delta0,
                   **self.facts.as_attrs())
        return out

    # a ResolvedModel can stand in for its model where only the Hamiltonian is needed
    @property
    def nambu_dim(self) -> int:
        return self.model.nambu_dim

    def hamiltonian(self, k, field=None):
        return self.model.hamiltonian(k, field)

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=None):
        return self.model.bdg_hamiltonian(k, delta, field)


# ------------------------------------------------------------------ the entries
def _entries() -> dict[str, ModelEntry]:
    from isingsc.models import families as fam
    from isingsc.models.paper import (PAPER, IsingParams, effective_model, fit_effective_model,
                                      heterostructure_model, intrinsic_ising_model, sc_model, tmd_model)

    ising_facts = SymmetryFacts(d6_in_plane=True, chiral=True, pockets=("Γ",))
    hetero = ("t_sc", "mu_sc", "t_tmd", "mu_tmd", "beta_so", "gamma", "field_on_tmd")
    entries = [
        ModelEntry("heterostructure", "paper", "SC layer + TMD with Ising SOC, coupled by Gamma (exact 8x8 Nambu model)",
                   f"{PAPER_SOURCE}, Eqs. 1-3, Figs. 1-4", PAPER, heterostructure_model, sc_model, 0.02,
                   "heterostructure.toml", ising_facts, hetero),
        ModelEntry("eq8-static", "paper", "SC layer with the TMD integrated out at omega = 0 (the literal Eq. 8; "
                   "k space only, poles where a TMD band crosses zero)", f"{PAPER_SOURCE}, Eq. 8", PAPER,
                   effective_model, sc_model, 0.02, None,
                   SymmetryFacts(True, True, ("Γ",), real_space=False), hetero),
        ModelEntry("effective-fit", "paper", "Eq. 8-form single layer fitted to the exact model near the SC Fermi "
                   "surface: t~, mu~, beta~ and the pairing factor Z", f"{PAPER_SOURCE}, Eq. 8; docs/departures.md",
                   PAPER, lambda p: fit_effective_model(p).model(), sc_model, 0.02, None, ising_facts, hetero),
        ModelEntry("intrinsic", "paper", "one layer with its own Ising SOC 2 beta_SO S(k) sigma_z and pairing",
                   "docs/models.md; SPEC (intrinsic Ising superconductor)", IsingParams(), intrinsic_ising_model,
                   None, 0.02, None, ising_facts, aliases={"t_sc": "t", "mu_sc": "mu"}),
        ModelEntry("sc", "paper", "isolated s-wave superconductor layer (Eq. 3)", f"{PAPER_SOURCE}, Eq. 3", PAPER,
                   sc_model, None, 0.02, None, ising_facts, ("t_sc", "mu_sc")),
        ModelEntry("tmd", "paper", "TMD top valence bands with Ising SOC, no pairing (Eq. 1)", f"{PAPER_SOURCE}, Eq. 1",
                   PAPER, tmd_model, None, 0.02, None, SymmetryFacts(True, True, ("Γ",), pairing=False),
                   ("t_tmd", "mu_tmd", "beta_so", "field_on_tmd")),
        ModelEntry("type-ii", "type-II Ising", "p_x +- i p_y doublet near Gamma, spin-orbital locking beta_SO tau_z "
                   "sigma_z (beta_SO = 0.2, no orbital splitting): clean Ising Hc2 with beta = beta_SO",
                   "review Sec. 3, Fig. 6d-e; C. Wang et al., PRL 123, 126402 (2019)", fam.TYPE_II,
                   fam.type_ii_model, None, 0.03, "type-ii.toml", ising_facts),
        ModelEntry("stanene", "type-II Ising", "type-II with weak locking beta_SO = 0.03: Hc2 ~ 2 HP at 0.1 Tc",
                   "review Sec. 3.1, Fig. 7b (few-layer stanene, ~2 Bp)", fam.STANENE,
                   lambda p: fam.type_ii_model(p, name="type-ii-stanene"), None, 0.03, "stanene.toml", ising_facts),
        ModelEntry("pdte2", "Ising + Rashba", "type-II Zeeman-type SOC beta_SO = 0.2 with Rashba alpha_R = 0.1 "
                   "(PdTe2 films)", "review Sec. 3.2, Fig. 7c", fam.PDTE2, fam.rashba_model, None, 0.03, "pdte2.toml",
                   SymmetryFacts(d6_in_plane=False, chiral=False, pockets=("Γ",))),
        ModelEntry("mote2", "anisotropic Ising", "Gamma pocket with line-Ising and anisotropic in-plane SOC from "
                   "broken mirrors (Td-MoTe2): two-fold Hc2(phi)", "review Sec. 2.2, Fig. 4", fam.MOTE2,
                   fam.anisotropic_model, None, 0.03, "mote2.toml",
                   SymmetryFacts(d6_in_plane=False, chiral=False, pockets=("Γ",))),
        ModelEntry("nbse2", "multi-pocket", "Gamma pocket (Ising SOC nodal on Gamma-M) + K pockets (NbSe2/TaS2-like)",
                   "review Secs. 2.1, 5", fam.NBSE2, fam.multipocket_model, None, 0.03, "nbse2.toml",
                   SymmetryFacts(True, True, ("Γ", "K"))),
        ModelEntry("ws2", "multi-pocket", "K pockets only (WS2-like): the clean Ising Hc2 formula",
                   "review Sec. 2.1 (gated WS2)", fam.NBSE2, fam.k_only_model, None, 0.03, "ws2.toml",
                   SymmetryFacts(True, True, ("K",)), ("t_k", "mu_k", "beta_so")),
        ModelEntry("hole-tmd", "hole-doped TMD", "valence band of a hole-doped TMD monolayer (WSe2-like): the Fermi "
                   "level inside the upper Ising-split band, one spin per valley (on-site s pairing; channels and "
                   "pair momentum: isingsc channels, isingsc chern)",
                   "review Sec. 5, Fig. 9; Y.-T. Hsu et al., Nat. Commun. 8, 14985 (2017)", fam.WSE2_HOLE,
                   fam.hole_doped_model, None, 0.02, "hole-tmd.toml", SymmetryFacts(True, True, ("K",))),
    ]
    return {e.name: e for e in entries}


_CACHE: dict[str, ModelEntry] = {}

#: Names that are not models but point to them.
AMBIGUOUS = {"effective": "ambiguous: the paper's effective model is either eq8-static (the literal Eq. 8, "
                          "k space only, with poles) or effective-fit (the Eq. 8 form fitted to the exact model); "
                          "name one of them"}


def entries() -> dict[str, ModelEntry]:
    """All built-in models by name (the paper's first, then the families)."""
    if not _CACHE:
        _CACHE.update(_entries())
    return _CACHE


def names() -> list[str]:
    return list(entries())


def get(name: str) -> ModelEntry:
    """The entry of a built-in model; ParameterError listing the names otherwise."""
    table = entries()
    if name in AMBIGUOUS:
        raise ParameterError("model", name, " | ".join(table), reason=AMBIGUOUS[name])
    if name not in table:
        raise ParameterError("model", name, f"one of {', '.join(table)} (or a model file)")
    return table[name]


def resolve(name: str | None = None, *, file: str | Path | None = None, text: str | None = None,
            overrides: Mapping[str, float] | None = None, parameters=None, **parameter_overrides) -> ResolvedModel:
    """The model named ``name`` (default heterostructure), or described by the TOML model ``file``
    (``text``: its content, when the file itself is elsewhere, e.g. on a sweep worker), with its
    parameters ``overrides`` (names, or aliases such as ``t_sc`` for the intrinsic layer's ``t``; also
    accepted as keyword arguments, ``resolve("intrinsic", mu=2.7)``), or a whole parameter set
    ``parameters`` (an instance of the entry's parameter class, e.g. ``PAPER.with_(gamma=0.3)``).

    Raises ParameterError naming the parameter (unknown name, value out of range) or DataFileError
    naming the file and key.
    """
    if parameter_overrides:
        both = sorted(set(parameter_overrides) & set(overrides or {}))
        if both:
            raise ParameterError(both[0], parameter_overrides[both[0]], "one value per parameter (given as a "
                                 "keyword and in overrides)")
        overrides = {**(overrides or {}), **parameter_overrides}
    if file is not None or text is not None:
        if name is not None:
            raise ParameterError("model", name, "a model name or a model file, not both")
        from isingsc.models.modelfile import load_model_file, loads_model

        mf = (loads_model(text, str(file or "<string>"), overrides) if text is not None
              else load_model_file(file, overrides))
        facts = detect_facts(mf.model)
        if text is None:
            text = Path(file).read_text(encoding="utf-8")
        return ResolvedModel(model=mf.model, reference=mf.reference, name=mf.name, source=str(file or "<string>"),
                             description=mf.description, citation=mf.source_reference,
                             delta0=mf.delta0 if mf.delta0 is not None else 0.02,
                             parameters=dict(mf.parameters), facts=facts, file_text=text)
    entry = get(name or "heterostructure")
    if parameters is not None:
        if not isinstance(parameters, type(entry.defaults)):
            raise ParameterError("parameters", type(parameters).__name__,
                                 f"a {type(entry.defaults).__name__} for model {entry.name!r}")
        params = parameters.with_(**{entry.canonical_parameter(k): v for k, v in (overrides or {}).items()}) \
            if overrides else parameters
    else:
        params = entry.parameters(overrides)
    model = entry.build(params)
    reference = model if entry.reference is None else entry.reference(params)
    values = {k: v for k, v in params.as_attrs().items() if k in entry.parameter_names}
    facts = replace(entry.facts, pockets=fermi_pockets(model))
    return ResolvedModel(model=model, reference=reference, name=entry.name, source="built-in",
                         description=entry.description, citation=entry.source, delta0=entry.delta0,
                         parameters=values, facts=facts, family=entry.family)


def as_resolved(model) -> ResolvedModel:
    """A :class:`ResolvedModel` for what a user passed as a model: a ResolvedModel, a catalogue name,
    or a bare model object (then its own reference, default Delta0 0.02 |t|, detected facts)."""
    if isinstance(model, ResolvedModel):
        return model
    if isinstance(model, str):
        return resolve(model)
    model = as_nambu_model(model)
    return ResolvedModel(model=model, reference=model, name=model.name, source="python", description="",
                         citation="", delta0=0.02, parameters=dict(getattr(model, "parameters", {})),
                         facts=detect_facts(model))


def as_nambu_model(model) -> NambuModel:
    """The Hamiltonian object of what a user passed as a model: a ResolvedModel's model, or a
    :class:`~isingsc.models.base.NambuModel` itself; ParameterError for anything else."""
    if isinstance(model, ResolvedModel):
        return model.model
    if not isinstance(model, NambuModel):
        raise ParameterError("model", type(model).__name__, "a catalogue model (isingsc.model) or a NambuModel "
                             "(e.g. a TightBindingModel)")
    return model
