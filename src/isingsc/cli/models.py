"""``isingsc models``: the built-in model catalogue, and checking a TOML model file.

Also the pieces every command uses to accept user models: the typer options :data:`ModelFile`
(``--model-file``) and :data:`ModelParam` (``--param NAME=VALUE``), and :func:`resolve_model`,
which turns ``--model NAME`` or ``--model-file FILE`` into a model and its normalisation
(reference) model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.core.errors import ParameterError
from isingsc.models.paper import PAPER, HeterostructureParams, IsingParams
from isingsc.cli.app import OPTION_RANGES, app, echo, parse_name_values, print_json
from isingsc.cli.options import Json

OPTION_RANGES.update({"--model-file": "a readable TOML model file (docs/model-files.md)",
                      "--param": "NAME=VALUE with NAME in the model file's [parameters]"})

ModelFile = Annotated[Optional[str], typer.Option(
    "--model-file", help="TOML model file (schema in docs/model-files.md) used instead of --model; "
                         "its model.delta0 (|t|) is the default gap.")]
ModelParam = Annotated[Optional[list[str]], typer.Option(
    "--param", help="NAME=VALUE: override an entry of the parameters table of --model-file (energies in |t|; "
                     "repeatable; default: the file's values).")]


def parse_overrides(items) -> dict[str, float]:
    """{"beta=0.1", ...} -> {"beta": 0.1}; ParameterError naming --param on a malformed item."""
    return parse_name_values("--param", items, "beta_so=0.1")


@dataclass(frozen=True)
class ResolvedModel:
    """A model chosen on the command line, with what the commands need around it.

    model / reference : the model and its normalisation model (Tc, HP = Delta0/sqrt2);
    name : built-in name or the file's [model] name; source : "built-in" or the file path;
    delta0 : suggested zero-field gap in |t| (registry or file), None if the file gives none;
    description, citation : one line each.
    """

    model: object
    reference: object
    name: str
    source: str
    delta0: float | None
    description: str
    citation: str


def resolve_model(name: str | None = None, model_file: str | Path | None = None, *,
                  params: HeterostructureParams = PAPER, ising: IsingParams | None = None,
                  overrides=None) -> ResolvedModel:
    """``--model-file`` if given (``overrides``: ``--param`` values), else the built-in ``name``.

    Built-in paper models (heterostructure, effective, intrinsic, sc, tmd) take ``params`` /
    ``ising`` from the command line; the families use their defaults.  ``overrides`` without a
    model file is an error (built-in models take their parameters from the usual options).
    Raises ParameterError / DataFileError (one line, naming the key) on bad input.
    """
    from isingsc.models import catalogue as registry

    overrides = parse_overrides(overrides) if isinstance(overrides, (list, tuple)) else (overrides or {})
    if model_file is not None:
        from isingsc.models.modelfile import load_model_file

        mf = load_model_file(model_file, overrides)
        return ResolvedModel(model=mf.model, reference=mf.reference, name=mf.name, source=str(model_file),
                             delta0=mf.delta0, description=mf.description, citation=mf.source_reference)
    if overrides:
        raise ParameterError("--param", ", ".join(overrides), "only together with --model-file")
    entry = registry.get(name or "heterostructure")
    model, reference = registry.build(entry.name, params, ising)
    return ResolvedModel(model=model, reference=reference, name=entry.name, source="built-in",
                         delta0=entry.delta0, description=entry.description, citation=entry.source)


def _symmetry_note(model) -> dict:
    """Which symmetry-reduced k sums the model allows (spectrum checks with a test gap and fields)."""
    from isingsc.lattice.triangular import check_spectral_symmetry

    out = {}
    for group in ("D6", "C3v"):
        try:
            for fv in ((0.05, 0.0, 0.0), (0.03, 0.04, 0.0)):
                check_spectral_symmetry(lambda k: np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.01, fv)), group)
            out[group] = True
        except ParameterError:
            out[group] = False
    return out


@app.command("models")
def models_command(
    model_file: ModelFile = None,
    param: ModelParam = None,
    json_out: Json = False,
):
    """List the built-in models (name, family, orbitals, model file, source), or check a model file.

    Without --model-file: the catalogue that --model accepts, with the TOML file each one is
    shipped as (isingsc/data/models/).  With --model-file FILE: validate it (unknown keys,
    types, shapes, orbitals, parameters, Hermiticity; one error line naming the key) and describe
    the model: orbitals, Zeeman couplings, pairing, reference orbitals, parameters (|t|), bonds,
    and whether its spectrum allows the D6 wedge used by the mean-field commands.
    """
    from isingsc.models import catalogue as registry
    from isingsc.models.modelfile import packaged_model_path

    if model_file is not None:
        r = resolve_model(model_file=model_file, overrides=param)
        m = r.model
        sym = _symmetry_note(m)
        out = {"name": r.name, "source": r.source, "description": r.description, "reference": r.citation,
               "orbitals": list(m.orbitals), "zeeman_coupling": list(m.zeeman_coupling),
               "pairing_orbitals": list(m.pairing_orbitals), "pairing_scale": m.pairing_scale,
               "reference_orbitals": list(r.reference.orbitals), "delta0": r.delta0,
               "parameters": {k: v for k, v in m.parameters.items() if k != "model_file"},
               "bonds": sorted([list(k) for k in m.hoppings]), "nambu_dim": m.nambu_dim,
               "d6_spectrum": sym["D6"], "c3v_spectrum": sym["C3v"],
               "units": "energies in |t|; offsets in primitive vectors a1 = (1, 0), a2 = (1/2, sqrt3/2)"}
        if json_out:
            print_json(out)
            return
        echo(f"{r.name}: {r.description} [{r.source}]")
        echo(f"  orbitals {', '.join(m.orbitals)} (Zeeman {list(m.zeeman_coupling)}), pairing on "
             f"{', '.join(m.pairing_orbitals) or 'none'}, normalised by {', '.join(r.reference.orbitals)}")
        echo("  parameters (|t|): " + ", ".join(f"{k} = {v:g}" for k, v in out["parameters"].items()))
        echo(f"  {len(m.hoppings)} bonds (with reverses), Nambu dimension {m.nambu_dim}, delta0 = {r.delta0}")
        echo("  spectrum D6-symmetric in an in-plane field: " + ("yes (Gamma-K-M wedge sums are exact)" if sym["D6"]
             else "no (use full-zone sums, e.g. isingsc.meanfield.families_hc2)"))
        return
    if param:
        raise ParameterError("--param", ", ".join(param), "only together with --model-file")
    rows = []
    for e in registry.entries().values():
        path = str(packaged_model_path(e.file)) if e.file else None
        m, ref = registry.build(e.name)
        rows.append({"name": e.name, "family": e.family, "description": e.description, "reference": e.source,
                     "orbitals": list(getattr(m, "orbitals", ("sc",))), "normalised_by": (
                         "itself" if ref is m else ",".join(getattr(ref, "orbitals", ()))),
                     "delta0": e.delta0, "file": path,
                     "parameters_from_options": e.uses_cli_parameters})
    if json_out:
        print_json({"models": rows, "units": "delta0 in |t|"})
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        echo(f"{r['name']:<{width}}  [{r['family']}] {r['description']}")
        echo(f"{'':<{width}}    source: {r['reference']}; orbitals {','.join(r['orbitals'])}; "
             f"delta0 = {r['delta0']:g} |t|" + (f"; file {Path(r['file']).name}" if r["file"] else ""))
