"""Catalogue of the built-in models: name -> builder, description, source, normalisation, model file.

``isingsc models`` lists it; :func:`isingsc.cli.models.resolve_model` turns a ``--model`` name (or a
``--model-file``) into a model and its normalisation (reference) model.  The paper's models take
the heterostructure / Ising-layer parameters of the command line; the families of
:mod:`isingsc.models.families` are built with their documented defaults (change them in Python, or copy
their shipped TOML file, ``isingsc/data/models/<file>``, and edit its ``[parameters]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from isingsc.core.errors import ParameterError
from isingsc.models.paper import PAPER, HeterostructureParams, IsingParams


@dataclass(frozen=True)
class ModelEntry:
    """One built-in model.

    build(params, ising) -> model; reference(params, ising) -> its normalisation model (Tc and
    HP = Delta0/sqrt2 are those of the reference; None: the model itself); delta0: the suggested
    zero-field gap (|t|); file: the shipped TOML model file describing the same model (at the
    default parameters), or None if it cannot be written as one (the static effective model).
    """

    name: str
    family: str
    description: str
    source: str
    build: Callable[[HeterostructureParams, IsingParams | None], object]
    reference: Callable[[HeterostructureParams, IsingParams | None], object] | None
    delta0: float
    file: str | None
    uses_cli_parameters: bool = False


def _entries() -> dict[str, ModelEntry]:
    from isingsc.models import families as fam
    from isingsc.models.paper import effective_model, heterostructure_model, intrinsic_ising_model, sc_model, tmd_model

    paper = "model paper (shared/papers/004)"
    entries = [
        ModelEntry("heterostructure", "paper", "SC layer + TMD with Ising SOC, coupled by Gamma (exact 8x8 Nambu model)",
                   f"{paper}, Eqs. 1-3, Figs. 1-4", lambda p, i: heterostructure_model(p),
                   lambda p, i: sc_model(p), 0.02, "heterostructure.toml", True),
        ModelEntry("effective", "paper", "SC layer with the TMD as static self-energy Sigma(omega = 0) (Eq. 8)",
                   f"{paper}, Eq. 8", lambda p, i: effective_model(p), lambda p, i: sc_model(p), 0.02, None, True),
        ModelEntry("intrinsic", "paper", "one layer with its own Ising SOC 2 beta_SO S(k) sigma_z and pairing",
                   "docs/models.md; SPEC (intrinsic Ising superconductor)",
                   lambda p, i: intrinsic_ising_model(i or IsingParams()), None, 0.02, None, True),
        ModelEntry("sc", "paper", "isolated s-wave superconductor layer (Eq. 3)", f"{paper}, Eq. 3",
                   lambda p, i: sc_model(p), None, 0.02, None, True),
        ModelEntry("tmd", "paper", "TMD top valence bands with Ising SOC, no pairing (Eq. 1)", f"{paper}, Eq. 1",
                   lambda p, i: tmd_model(p), None, 0.02, None, True),
        ModelEntry("type-ii", "type-II Ising", "p_x +- i p_y doublet near Gamma, spin-orbital locking "
                   "beta_SO tau_z sigma_z (beta_SO = 0.2, no orbital splitting): clean Ising Hc2 with beta = beta_SO",
                   "review Sec. 3, Fig. 6d-e; C. Wang et al., PRL 123, 126402 (2019)",
                   lambda p, i: fam.type_ii_model(), None, 0.03, "type-ii.toml"),
        ModelEntry("stanene", "type-II Ising", "type-II with weak locking beta_SO = 0.03: Hc2 ~ 2 HP at 0.1 Tc",
                   "review Sec. 3.1, Fig. 7b (few-layer stanene, ~2 Bp)",
                   lambda p, i: fam.stanene_model(), None, 0.03, "stanene.toml"),
        ModelEntry("pdte2", "Ising + Rashba", "type-II Zeeman-type SOC beta_SO = 0.2 with Rashba alpha_R = 0.1 "
                   "(PdTe2 films)", "review Sec. 3.2, Fig. 7c", lambda p, i: fam.rashba_model(), None, 0.03,
                   "pdte2.toml"),
        ModelEntry("mote2", "anisotropic Ising", "Gamma pocket with line-Ising and anisotropic in-plane SOC from "
                   "broken mirrors (Td-MoTe2): two-fold Hc2(phi)", "review Sec. 2.2, Fig. 4",
                   lambda p, i: fam.anisotropic_model(), None, 0.03, "mote2.toml"),
        ModelEntry("nbse2", "multi-pocket", "Gamma pocket (Ising SOC nodal on Gamma-M) + K pockets (NbSe2/TaS2-like)",
                   "review Secs. 2.1, 5", lambda p, i: fam.multipocket_model(), None, 0.03, "nbse2.toml"),
        ModelEntry("ws2", "multi-pocket", "K pockets only (WS2-like): the clean Ising Hc2 formula",
                   "review Sec. 2.1 (gated WS2)", lambda p, i: fam.k_only_model(), None, 0.03, "ws2.toml"),
    ]
    return {e.name: e for e in entries}


_CACHE: dict[str, ModelEntry] = {}


def entries() -> dict[str, ModelEntry]:
    """All built-in models by name (insertion order: the paper's first, then the families)."""
    if not _CACHE:
        _CACHE.update(_entries())
    return _CACHE


def names() -> list[str]:
    return list(entries())


def get(name: str) -> ModelEntry:
    """The entry of a built-in model; ParameterError listing the names otherwise."""
    table = entries()
    if name not in table:
        raise ParameterError("model", name, f"one of {', '.join(table)} (or a model file: --model-file)")
    return table[name]


def build(name: str, params: HeterostructureParams = PAPER, ising: IsingParams | None = None):
    """(model, reference model) of a built-in model; the reference is the model itself unless stated."""
    entry = get(name)
    model = entry.build(params, ising)
    reference = model if entry.reference is None else entry.reference(params, ising)
    return model, reference
