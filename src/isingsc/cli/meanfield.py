"""CLI commands of the mean-field solver: ``gap``, ``tc``, ``hc2``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.models.paper import PAPER, IsingParams
from isingsc.cli.app import OPTION_RANGES, app, echo, print_json
from isingsc.cli.models import ModelFile, ModelParam, resolve_model
from isingsc.cli.options import (BetaSo, FieldAngle, FieldOnTmd, Gamma, Json, MuSc, MuTmd, OutDir, TSc, TTmd,
                      field_angle_rad, heterostructure_params)

OPTION_RANGES.update({"--delta0": "delta0 > 0 (finite)", "--v": "v > 0 (finite)",
                      "--tol": "tol > 0 (finite)", "--temperature": "T > 0 (finite)"})

MeanFieldModel = Annotated[str, typer.Option(
    "--model", help="Built-in model (isingsc models lists them): heterostructure | effective | intrinsic | "
                    "type-ii | stanene | pdte2 | mote2 | nbse2 | ws2 ...; or --model-file.")]
Delta0 = Annotated[Optional[float], typer.Option(
    "--delta0", help="Zero-T, zero-field gap of the isolated SC layer (the model itself for intrinsic), |t|; "
                     "fixes the pairing strength v.  Default 0.02 unless --v is given.")]
Coupling = Annotated[Optional[float], typer.Option("--v", help="Pairing strength v (|t| x site) instead of --delta0.")]
Tol = Annotated[float, typer.Option("--tol", help="Relative convergence tolerance of reported numbers.")]


def build(model_name, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd, delta0, v,
          model_file=None, param=None):
    """Model, its reference (normalisation) model and (delta0, v) from the shared options.

    ``--model-file`` (with ``--param`` overrides) replaces ``--model``; the file's or the
    registry's suggested gap is the default ``--delta0`` (else 0.02 |t|).
    """
    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    ising = IsingParams(t=t_sc, mu=mu_sc, beta_so=beta_so) if model_name == "intrinsic" else None
    resolved = resolve_model(model_name, model_file, params=params, ising=ising, overrides=param)
    if delta0 is not None and v is not None:
        raise ParameterError("--delta0/--v", (delta0, v), "give only one of --delta0 and --v")
    if delta0 is None and v is None:
        delta0 = resolved.delta0 or 0.02
    if delta0 is not None:
        check_range("delta0", delta0, lo=0.0, lo_open=True)
    if v is not None:
        check_range("v", v, lo=0.0, lo_open=True)
    return resolved.model, resolved.reference, delta0, v


@app.command("tc")
def tc_command(
    model: MeanFieldModel = "heterostructure",
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    field_on_tmd: FieldOnTmd = True, delta0: Delta0 = None, v: Coupling = None, tol: Tol = 0.005,
    model_file: ModelFile = None, param: ModelParam = None,
    json_out: Json = False,
):
    """Zero-field Tc and Delta0 of the model and of its reference (isolated SC layer), in |t| (k_B = 1).

    Tc from the pair susceptibility (Omega''(0) = 0), Delta0 the T = 0 global minimum of Omega;
    converged to --tol by refining the Brillouin-zone quadrature.
    """
    from isingsc.meanfield.phase_diagram import converge, default_spec, setup
    from isingsc.meanfield.transitions import critical_temperature, solve_gap

    m, reference, delta0, v = build(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd, delta0, v,
                                    model_file, param)
    label = m.name if model_file else model
    check_range("tol", tol, lo=0.0, lo_open=True)
    info = {}

    def compute(spec, _previous):
        ref, problem = setup(m, reference, delta0=delta0, v=v, spec=spec)
        tc = critical_temperature(problem, t_max=2 * ref.tc)
        gap = solve_gap(problem, 0.0, delta_max=1.5 * ref.delta0).delta
        info.update(ref=ref, n_k=len(problem.mesh), spec=spec)
        return {"Tc": tc, "Delta0": gap, "Tc_ref": ref.tc}

    res, achieved, spec = converge(compute, default_spec(delta0 or 0.02), tol)
    ref = info["ref"]
    out = {"model": label, "Tc": res["Tc"], "Delta0": res["Delta0"], "Tc_reference": ref.tc,
           "Delta0_reference": ref.delta0, "Tc_over_Tc_reference": res["Tc"] / ref.tc,
           "Delta0_over_Tc": res["Delta0"] / res["Tc"] if res["Delta0"] > 0 else None, "v": ref.v,
           "kmesh": f"{info['n_k']} k points, {spec.describe()}", "tolerance": tol,
           "achieved_tolerance": achieved, "units": "|t| (k_B = 1)"}
    if json_out:
        print_json(out)
        return
    echo(f"{label}: Tc = {res['Tc']:.6g} |t| ({res['Tc'] / ref.tc:.4f} Tc_ref), Delta0 = {res['Delta0']:.6g} |t|, "
         f"v = {ref.v:.6g} |t|; reference Tc = {ref.tc:.6g} |t|, Delta0 = {ref.delta0:.6g} |t| "
         f"[{out['kmesh']}; converged to {achieved:.2g} (tol {tol:g})]")


@app.command("gap")
def gap_command(
    temperature: Annotated[Optional[float], typer.Option("--temperature", "-T", help="Temperature T (|t|, k_B = 1); default 0.1 Tc_ref.")] = None,
    vx: Annotated[float, typer.Option("--vx", help="In-plane Zeeman energy Vx = mu_B B (|t|).")] = 0.0,
    model: MeanFieldModel = "heterostructure",
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    field_on_tmd: FieldOnTmd = True, delta0: Delta0 = None, v: Coupling = None,
    field_angle: FieldAngle = 0.0, model_file: ModelFile = None, param: ModelParam = None,
    json_out: Json = False,
):
    """Self-consistent gap Delta at (T, V) for an in-plane field |V| = --vx at --field-angle: global minimum of Omega(Delta), its free energy and residual.

    Prints Delta (|t|), Omega(Delta) - Omega(0) (|t| per site), the gap-equation residual
    Delta - v F(Delta) (|t|) and any metastable (super-heated / super-cooled) branches.
    """
    from isingsc.meanfield.phase_diagram import setup
    from isingsc.meanfield.transitions import solve_gap

    m, reference, delta0, v = build(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd, delta0, v,
                                    model_file, param)
    label = m.name if model_file else model
    check_range("vx", vx, lo=0.0)
    angle = field_angle_rad(field_angle)
    if temperature is not None:
        check_range("T", temperature, lo=0.0, lo_open=True)
    ref, problem = setup(m, reference, delta0=delta0, v=v, angle=angle)
    T = 0.1 * ref.tc if temperature is None else temperature
    sol = solve_gap(problem, T, vx, delta_max=1.5 * ref.delta0, angle=angle)
    out = {"model": label, "T": T, "vx": vx, "field_angle_deg": field_angle, "Delta": sol.delta, "free_energy": sol.free_energy,
           "residual": sol.residual, "metastable": [list(x) for x in sol.metastable],
           "T_over_Tc_reference": T / ref.tc, "vx_over_HP": vx / ref.pauli_field,
           "kmesh": f"{len(problem.mesh)} k points, {ref.spec.describe()}", "tolerance": 1e-6,
           "units": "|t| (k_B = 1); free_energy in |t| per site"}
    if json_out:
        print_json(out)
        return
    echo(f"Delta = {sol.delta:.6g} |t| at T = {T:.4g} |t| ({T / ref.tc:.3f} Tc_ref), |V| = {vx:.4g} |t| "
         f"({vx / ref.pauli_field:.3f} HP) at {field_angle:g} deg; Omega - Omega_N = {sol.free_energy:.4e} |t|/site; "
         f"residual {sol.residual:.1e} |t| [{out['kmesh']}]")
    for d, f in sol.metastable:
        echo(f"  metastable branch: Delta = {d:.6g} |t|, Omega - Omega_N = {f:.4e} |t|/site")


@app.command("hc2")
def hc2_command(
    out: OutDir = "isingsc-hc2",
    model: MeanFieldModel = "heterostructure",
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    field_on_tmd: FieldOnTmd = True, delta0: Delta0 = None, v: Coupling = None, tol: Tol = 0.005,
    n_points: Annotated[int, typer.Option("--n-points", help="Number of temperatures.")] = 20,
    field_angle: FieldAngle = 0.0, model_file: ModelFile = None, param: ModelParam = None,
    json_out: Json = False,
):
    """In-plane upper critical field Hc2(T) and the order of the transition at each T.

    Hc2 is the thermodynamic transition field (root finding in the field): the
    second-order line Omega''(0) = 0, or the first-order field where the superconducting
    minimum's free energy equals the normal state's.  Normalised by Tc and HP = Delta0/sqrt2
    of the reference (isolated SC layer; the model itself for --model intrinsic).
    Writes hc2.nc and hc2.png to --out.
    """
    from isingsc.plotting import paper as plotting
    from isingsc.meanfield.phase_diagram import converged_hc2
    from isingsc.core.results import save

    m, reference, delta0, v = build(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd, delta0, v,
                                    model_file, param)
    label = m.name if model_file else model
    n_points = check_positive_int("n_points", n_points, 2)
    ds = converged_hc2(m, reference, delta0=delta0, v=v, n_points=n_points, tol=tol,
                       angle=field_angle_rad(field_angle))
    outdir = Path(out)
    files = [save(ds, outdir / "hc2.nc")]
    files += plotting.save_figure(plotting.plot_hc2([ds]), outdir / "hc2.png")
    a = ds.attrs
    result = {"model": label, "field_angle_deg": field_angle, "Tc": a["Tc_reference"], "Delta0": a["Delta0_reference"], "HP": a["HP_reference"],
              "Tc_model": a["Tc"], "T_over_Tc": ds.T_over_Tc.values, "Hc2_over_HP": ds.Hc2_over_HP.values,
              "order": [str(o) for o in ds.order.values], "tricritical_T_over_Tc": a["tricritical_T_over_Tc"],
              "kmesh": a["kmesh"], "tolerance": tol, "achieved_tolerance": a["achieved_tolerance"],
              "units": "Tc, Delta0, HP in |t| (k_B = 1, HP as Zeeman energy mu_B B); ratios dimensionless",
              "files": [str(f) for f in files]}
    if json_out:
        print_json(result)
        return
    echo(f"{label} (field at {field_angle:g} deg): Tc_ref = {a['Tc_reference']:.6g} |t|, HP = {a['HP_reference']:.6g} |t| "
         f"[{a['kmesh']}; converged to {a['achieved_tolerance']:.2g} (tol {tol:g})]")
    for t, h, o in zip(ds.T_over_Tc.values, ds.Hc2_over_HP.values, ds.order.values):
        echo(f"  T/Tc = {t:.4f}  Hc2/HP = {h:.5f}  ({o} order)")
    for f in files:
        echo(f"wrote {f}")


