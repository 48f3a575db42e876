"""``isingsc models``: the model catalogue, or a check of one TOML model file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import Json, parse_name_values


def _facts(facts) -> dict:
    return {"d6_spectrum": facts.d6_in_plane, "chiral": facts.chiral, "fermi_pockets": list(facts.pockets),
            "pairing": facts.pairing, "real_space": facts.real_space}


@app.command("models")
def models_command(
    model_file: Annotated[Optional[Path], typer.Option(
        "--model-file", help="Check and describe this TOML model file (docs/model-files.md) instead.")] = None,
    param: Annotated[Optional[list[str]], typer.Option(
        "--param", help="NAME=VALUE: a parameter of --model-file (repeatable).")] = None,
    json_out: Json = False,
):
    """List the built-in models (name, family, parameters with defaults, default Delta0, model file, symmetry
    facts, source), or check a model file.

    Every command takes --model NAME (or --model-file FILE) and --param NAME=VALUE for any parameter listed
    here.  With --model-file: validate it (unknown keys, types, shapes, orbitals, parameters, Hermiticity; one
    error line naming the key) and describe the model: orbitals, Zeeman couplings, pairing, reference orbitals,
    parameters (|t|), bonds, and its symmetry facts (D6 spectrum in an in-plane field: the Gamma-K-M wedge is
    exact; chiral symmetry: winding numbers are defined; Fermi pockets).
    """
    from isingsc.core.errors import ParameterError
    from isingsc.models import catalogue
    from isingsc.models.modelfile import packaged_model_path

    if model_file is not None:
        r = catalogue.resolve(file=model_file, overrides=parse_name_values("--param", param, "beta_so=0.1"))
        m = r.model
        out = {"name": r.name, "source": r.source, "description": r.description, "reference": r.citation,
               "orbitals": list(m.orbitals), "zeeman_coupling": list(m.zeeman_coupling),
               "pairing_orbitals": list(m.pairing_orbitals), "pairing_scale": m.pairing_scale,
               "reference_orbitals": list(r.reference.orbitals), "delta0": r.delta0,
               "parameters": {k: v for k, v in m.parameters.items() if k != "model_file"},
               "bonds": sorted([list(k) for k in m.hoppings]), "nambu_dim": m.nambu_dim, **_facts(r.facts),
               "units": "energies in |t|; offsets in primitive vectors a1 = (1, 0), a2 = (1/2, sqrt3/2)"}
        if json_out:
            print_json(out)
            return
        echo(f"{r.name}: {r.description} [{r.source}]")
        echo(f"  orbitals {', '.join(m.orbitals)} (Zeeman {list(m.zeeman_coupling)}), pairing on "
             f"{', '.join(m.pairing_orbitals) or 'none'}, normalised by {', '.join(r.reference.orbitals)}")
        echo("  parameters (|t|): " + ", ".join(f"{k} = {v:g}" for k, v in out["parameters"].items()))
        echo(f"  {len(m.hoppings)} bonds (with reverses), Nambu dimension {m.nambu_dim}, delta0 = {r.delta0}")
        echo("  spectrum D6-symmetric in an in-plane field: " + ("yes (Gamma-K-M wedge sums are exact)" if r.facts.d6_in_plane
             else "no (half-zone sums)") + "; chiral symmetry (winding numbers): "
             + ("yes" if r.facts.chiral else "no") + f"; Fermi pockets: {', '.join(r.facts.pockets) or 'none'}")
        return
    if param:
        raise ParameterError("--param", ", ".join(param), "only together with --model-file here (commands take "
                             "--model NAME --param NAME=VALUE)")
    rows = []
    for e in catalogue.entries().values():
        params = {k: v for k, v in e.defaults.as_attrs().items() if k in e.parameter_names}
        rows.append({"name": e.name, "family": e.family, "description": e.description, "reference": e.source,
                     "parameters": params, "aliases": dict(e.aliases), "delta0": e.delta0,
                     "file": str(packaged_model_path(e.file)) if e.file else None,
                     "normalised_by": "itself" if e.reference is None else "its SC layer", **_facts(e.facts)})
    if json_out:
        print_json({"models": rows, "units": "parameters and delta0 in |t|"})
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        echo(f"{r['name']:<{width}}  [{r['family']}] {r['description']}")
        echo(f"{'':<{width}}    parameters (|t|): " + ", ".join(f"{k}={v:g}" for k, v in r["parameters"].items())
             + f"; delta0 = {r['delta0']:g} |t|" + (f"; file {Path(r['file']).name}" if r["file"] else ""))
        echo(f"{'':<{width}}    source: {r['reference']}")
        echo(f"{'':<{width}}    D6 spectrum in an in-plane field: {'yes' if r['d6_spectrum'] else 'no'}; chiral "
             f"symmetry (winding numbers): {'yes' if r['chiral'] else 'no'}; Fermi pockets: "
             f"{', '.join(r['fermi_pockets']) or 'none'}; pairing: {'yes' if r['pairing'] else 'no'}; real-space "
             f"lattice: {'yes' if r['real_space'] else 'no'}")
