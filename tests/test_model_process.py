"""fit_process (PROCESS models 1-8, 14, 15, 58, 59) against R lm() + sandwich and an R bootstrap
loop over the same resample indices (tests/reference/model_process.R, data and indices from
tests/reference/model_process_data.py); and fit_mediation's cluster-robust path SEs."""
from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.models.mediation import bootstrap_indices, fit_mediation
from avoid_survey.analysis.stats.models.process import fit_process

from conftest import REF

R = json.loads((REF / "model_process.json").read_text())
D = pd.read_csv(REF / "data" / "process_sample.csv", dtype={"township": str})
CASES = [k for k in R if k.startswith("m") and "args" in R[k]]
TOL = 1e-6
MAXDIFF = {"point": 0.0, "boot": 0.0}   # largest |ours - R| / max(1, |R|)


def _args(key):
    a = dict(R[key]["args"])
    kw = dict(model=a["model"], x=a["x"], y=a["y"], m=a.get("m") or (), w=a.get("w"), z=a.get("z"),
              covariates=a["covariates"], moderator_values=a["moderator_values"], se=a["se"])
    if a["se"] == "cluster":
        kw.update(cluster="township", seed=5)
    else:
        kw.update(seed=3)
    return kw


@functools.lru_cache(maxsize=None)
def _fit(key):
    return fit_process(D, n_boot=100, **_args(key))


def _close(ours, ref, what, kind="point", rel=TOL):
    assert ours == pytest.approx(ref, rel=rel, abs=TOL if kind == "point" else 1e-9), what
    MAXDIFF[kind] = max(MAXDIFF[kind], abs(ours - ref) / max(1.0, abs(ref)))


def test_exported_indices_are_what_our_generator_draws():
    idx = np.loadtxt(REF / "data" / "process_idx_rows.csv", delimiter=",", dtype=int)
    assert np.array_equal(idx, bootstrap_indices(len(D), 100, 3) + 1)


@pytest.mark.parametrize("key", CASES)
def test_path_models_match_lm(key):
    m = _fit(key)
    ref = R[key]["paths"]
    pms = {p["outcome"]: p for p in m.extra["path_models"]}
    assert set(pms) == set(ref)
    for outcome, r in ref.items():
        p = pms[outcome]
        terms = ["constant" if t == "(Intercept)" else t for t in np.atleast_1d(r["terms"])]
        assert sorted(c["term"] for c in p["coefficients"]) == sorted(terms)   # R puts products last
        for c in p["coefficients"]:
            i = terms.index(c["term"])
            for k in ("estimate", "se", "t", "ci_lower", "ci_upper"):
                _close(c[k], np.atleast_1d(r[k])[i], f"{outcome} {c['term']} {k}")
            assert c["p"] == pytest.approx(np.atleast_1d(r["p"])[i], rel=1e-6, abs=1e-300)
        for k in ("r2", "mse", "f"):
            _close(p[k], r[k], f"{outcome} {k}")
        assert p["p"] == pytest.approx(r["fp"], rel=1e-6, abs=1e-300)
        assert (p["df1"], p["df2"]) == (r["df1"], r["df2"])
        inter = r.get("inter") or {}
        ours = {t["term"]: t for t in p.get("interaction_tests", [])}
        assert set(ours) == set(inter)
        for term, rt in inter.items():
            _close(ours[term]["r2_change"], rt["r2_change"], f"{outcome} {term} R2 change")
            _close(ours[term]["f"], rt["f"], f"{outcome} {term} F")
            assert ours[term]["p"] == pytest.approx(rt["p"], rel=1e-6)
            if R[key]["args"]["se"] == "classical":
                _close(ours[term]["f"], rt["anova_f"], f"{outcome} {term} anova F")


@pytest.mark.parametrize("key", CASES)
def test_conditional_and_direct_effects_match_r(key):
    m, r = _fit(key), R[key]
    pr = m.extra["process"]
    assert [v["w"] for v in pr["w_values"]] == pytest.approx(np.atleast_1d(r.get("w_values") or []), abs=1e-12)
    assert [v["z"] for v in pr["z_values"]] == pytest.approx(np.atleast_1d(r.get("z_values") or []), abs=1e-12)
    direct = [e for e in m.effects if e["effect"] == "direct"]
    refs = r["conditional"] if "conditional" in r else [r["direct"]]
    assert len(direct) == len(refs)
    for e, rr in zip(direct, refs):
        for k in ("estimate", "se", "t", "p", "ci_lower", "ci_upper"):
            _close(e[k], rr[k], f"direct {k}")
    if "total" in r:
        tot = next(e for e in m.effects if e["effect"] == "total")
        for k in ("estimate", "se", "ci_lower", "ci_upper"):
            _close(tot[k], r["total"][k], f"total {k}")
    if "jn" in r:
        jn = m.extra["johnson_neyman"]
        assert len(jn["bounds"]) == len(np.atleast_1d(r["jn"]))
        for a, b in zip(jn["bounds"], np.atleast_1d(r["jn"])):
            _close(a, b, "jn bound")
    if "cond_interaction" in r:
        for e, rr in zip(m.extra["conditional_interaction"], r["cond_interaction"].values()):
            for k in ("estimate", "se", "p"):
                _close(e[k], rr[k], f"conditional interaction {k}")


def _ours(m):
    out = {}
    for e in m.effects:
        if e["effect"] == "indirect":
            out["indirect|" + e["via"] + (f"|{e['level']}" if "level" in e else "")] = e
    for e in m.extra.get("index_of_moderated_mediation", []):
        out[f"index|{e['via']}"] = e
    for e in m.extra.get("partial_moderated_mediation", []):
        out[f"partial|{e['via']}|{e['component']}"] = e
    for e in m.extra.get("contrasts", []):
        out[f"contrast|{e['via']}|{e['level']}-{e['minus_level']}"] = e
    for e in m.extra.get("indirect_contrasts", []):
        out[f"icontrast|{e['via']}|{e['minus_via']}"] = e
    for e in m.extra.get("standardized_indirect_effects", []):
        out[f"std|{e['via']}|{e['kind']}"] = e
    return out


@pytest.mark.parametrize("key", [k for k in CASES if "effects" in R[k]])
def test_indirect_effects_indices_and_bootstrap_match_r(key):
    m, r = _fit(key), R[key]
    ours = _ours(m)
    assert set(ours) == set(r["effects"])
    assert m.fit["n_boot_used"] == 100
    if "proportion" in r:
        got = {p["via"]: p["proportion"] for p in m.extra["proportion_mediated"]}
        assert {f"indirect|{k}" for k in got} == set(r["proportion"])
        for k, v in got.items():
            _close(v, r["proportion"][f"indirect|{k}"], f"proportion {k}")
    for k, est in r["effects"].items():
        _close(ours[k]["estimate"], est, k)
        _close(ours[k]["se"], r["boot_se"][k], k + " se", "boot")
        _close(ours[k]["ci_lower"], r["ci_lower"][k], k + " lo", "boot")
        _close(ours[k]["ci_upper"], r["ci_upper"][k], k + " hi", "boot")


def test_max_difference_is_reported():
    for key in CASES:
        test_path_models_match_lm(key)
    assert MAXDIFF["point"] < 1e-8, MAXDIFF
    print("max relative |diff| vs R:", MAXDIFF)


def test_index_is_the_slope_of_the_conditional_indirect_effect():
    m = _fit("m7")
    c = m.extra["conditional_indirect_effects"]
    idx = m.extra["index_of_moderated_mediation"][0]["estimate"]
    assert (c[2]["estimate"] - c[0]["estimate"]) / (c[2]["w"] - c[0]["w"]) == pytest.approx(idx, rel=1e-10)
    json.dumps(m.to_dict())


def test_mediation_cluster_paths_are_vcovcl():
    med = fit_mediation(D, x="pressure", mediators=["trust"], y="passive", covariates=["age"],
                        cluster="township", n_boot=10, seed=1)
    ref = R["mediation_cluster_paths"]
    names = [["(Intercept) -> trust", "a: pressure -> trust", "cov: age -> trust"],
             ["(Intercept) -> passive", "c': pressure -> passive", "b: trust -> passive", "cov: age -> passive"],
             ["(Intercept) -> passive (total)", "c: pressure -> passive (total)", "cov: age -> passive (total)"]]
    for r, terms in zip(ref, names):
        for t, est, se in zip(terms, r["estimate"], r["se"]):
            assert med.coef(t).estimate == pytest.approx(est, rel=1e-8)
            assert med.coef(t).se == pytest.approx(se, rel=1e-8), t
    assert "cluster-robust" in med.se_type


@pytest.mark.parametrize("kw, msg", [
    (dict(model=4), "needs a mediator"),
    (dict(model=1, m="trust", w="innov"), "has no mediator"),
    (dict(model=7, m="trust"), "needs a moderator"),
    (dict(model=2, w="trust"), "second moderator"),
    (dict(model=9, w="trust"), "not available"),
    (dict(model=6, m="trust"), "2 to 6 mediators"),
    (dict(model=1, w="nope"), "unknown column 'nope'"),
    (dict(model=1, w="trust", moderator_values="quartiles"), "moderator_values"),
])
def test_bad_arguments_are_one_clear_error(kw, msg):
    with pytest.raises(AvoidSurveyError, match=msg):
        fit_process(D, x="pressure", y="passive", n_boot=0, **kw)


def test_explicit_moderator_values_give_the_same_effects_as_r_at_those_values():
    base = _fit("m1")
    ws = [c["w"] for c in base.extra["conditional_effects"]]
    m = fit_process(D, n_boot=0, w_at=ws[::-1], **_args("m1"))
    got = m.extra["conditional_effects"]
    assert [c["w"] for c in got] == ws[::-1] and m.extra["process"]["moderator_values"] == "values"
    for a, b in zip(got, base.extra["conditional_effects"][::-1]):
        assert a["estimate"] == pytest.approx(b["estimate"], rel=1e-12) and a["se"] == pytest.approx(b["se"])
    with pytest.raises(AvoidSurveyError, match="z_at"):
        fit_process(D, model=1, x="pressure", y="passive", w="trust", z_at=[1.0], n_boot=0)
