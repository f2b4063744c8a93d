"""The SEM engine beyond test_sem.py: FIML-corrected robust indices under MLR (multi-group),
the ULMC of `cmv` on simulated method-factor data, the batched missing-pattern algebra, and
bad input (tests/reference/sem_engine.R -> sem_engine.json, data from sem_engine_data.py)."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import REF

R = json.loads((REF / "sem_engine.json").read_text())
HS = REF / "data" / "hs_holzinger1939.csv"
HSM = REF / "data" / "hs_mcar_school.csv"
SIM = REF / "data" / "cmv_sim.csv"
SIM_INST = REF / "cmv_sim_instrument.yaml"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

ROBUST = ["cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"]


@pytest.mark.parametrize("case, kw", [("fiml_mlr", {"estimator": "MLR"}),
                                      ("mg_fiml_mlr", {"estimator": "MLR", "group": "school",
                                                       "group_equal": ["loadings"]}),
                                      ("fiml_ml", {})])
def test_fiml_mlr_robust_indices_equal_lavaan(case, kw):
    """Robust CFI/TLI/RMSEA with missing = "ml" are lavaan's FIML-corrected ones (Zhang & Savalei
    2022; V3 under MLR, V6 under ML, where lavaan reports them too). lavaan's EM stops with its saturated moments about 1e-5 (relative) from the
    optimum (its T3 and baseline T3 differ from ours by 1e-5 in the same direction, the
    chi-square by 1e-9), so the robust indices are pinned at 5e-6; the rest at 1e-5."""
    from avoid_survey.analysis.stats.sem import sem

    res = sem(pd.read_csv(HSM), model=R[case]["model"], missing="ml", **kw)
    ref = R[case]["fit"]
    bad = []
    for k, v in ref.items():
        ours = res.fit[k.replace(".", "_")]
        tol = 5e-6 if k in ROBUST else 1e-5
        if ours is None or abs(ours - v) > tol * max(1.0, abs(v)):
            bad.append((k, ours, v))
    assert bad == []
    for p in R[case]["params"]:
        if not p["se"]:
            continue
        grp = None if "group" not in kw else ("Pasteur", "Grant-White")[p["group"] - 1]
        q = next(q for q in res.parameters if (q["lhs"], q["op"], q["rhs"], q["group"]) == (p["lhs"], p["op"], p["rhs"], grp))
        assert abs(q["estimate"] - p["est"]) < 1e-4 * max(1, abs(p["est"]))
        assert abs(q["se"] - p["se"]) < 1e-4 * max(1, abs(p["se"]))


def test_ulmc_equals_lavaan_on_simulated_method_factor():
    from avoid_survey.analysis.stats.sem.cmv import cmv
    from avoid_survey.instruments import load_instrument

    res = cmv(pd.read_csv(SIM), load_instrument(str(SIM_INST)), marker="marker")
    ref = R["cmv_sim"]
    u = res.ulmc
    assert u["converged"]
    for k, v in ref["ulmc"].items():
        assert abs(u[k] - v) <= 1e-6 * max(1, abs(v)), k
    assert u["delta_df"] == ref["ulmc"]["df"] - ref["measurement"]["df"]
    assert abs(u["delta_chisq"] - (ref["ulmc"]["chisq"] - ref["measurement"]["chisq"])) < 1e-5
    assert abs(u["delta_cfi"] - (ref["ulmc"]["cfi"] - ref["measurement"]["cfi"])) < 1e-6
    for item, v in ref["method_loadings"].items():   # std.all, lavaan's optimizer tolerance
        assert abs(abs(u["method_loadings"][item]) - abs(v)) < 1e-5, item
    assert abs(u["method_variance_share"] - ref["method_variance_share"]) < 1e-5
    assert abs(u["trait_variance_share"] - ref["trait_variance_share"]) < 1e-5
    # the simulated method factor is found: its share is clearly above zero
    assert 0.05 < u["method_variance_share"] < 0.25
    h = res.harman
    assert abs(h["first_component_share"] - ref["first_component_share"]) < 1e-10
    assert h["n_eigen_gt1"] == ref["n_eigen_gt1"]
    assert abs(h["first_factor_share"] - ref["first_factor_share"]) < 1e-5
    mk = res.marker
    assert abs(mk["r_m"] - ref["marker"]["r_m"]) < 1e-12
    for ours, rp in zip(mk["pairs"], ref["marker"]["pairs"]):
        assert (ours["a"], ours["b"]) == (rp["a"], rp["b"])
        assert abs(ours["r_corrected"] - rp["r_corrected"]) < 1e-12
        assert abs(ours["t"] - rp["t"]) < 1e-9 and abs(ours["p_corrected"] - rp["p"]) < 1e-12


def test_ulmc_not_identified_is_a_warning_not_a_failure(cli):
    """Three items per trait: the method factor is not identified in these data (lavaan does
    not converge either). Harman and the single factor are still reported; ULMC numbers null."""
    code, out, err = cli("cmv", HS, "--instrument", REF / "cfa_hs_instrument.yaml", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["harman"]["first_component_share"] > 0 and d["single_factor"]["chisq"] > 0
    assert d["ulmc"]["converged"] is False
    assert d["ulmc"]["method_variance_share"] is None and d["ulmc"]["cfi"] is None
    assert any("ULMC" in str(w) and "no ULMC result" in str(w) for w in d["warnings"])


def _naive_f(pats, n, sigma, mu):
    f = 0.0
    for pt in pats:
        so = sigma[np.ix_(pt.obs, pt.obs)]
        W = np.linalg.inv(so)
        d = pt.mean - mu[pt.obs]
        f += pt.n / n * (np.linalg.slogdet(so)[1] + np.sum(W * pt.S) + d @ W @ d)
    return f


def test_batched_patterns_equal_per_pattern_algebra():
    """The batched fit value, gradient parts and EM equal a per-pattern computation."""
    from avoid_survey.analysis.stats.cfa.fiml import em_saturated, pattern_f, pattern_grad_parts, patterns

    rng = np.random.default_rng(4)
    A = rng.standard_normal((6, 6))
    sigma = A @ A.T / 6 + np.eye(6)
    x = rng.multivariate_normal(np.arange(6.0), sigma, size=400)
    x[rng.random(x.shape) < 0.15] = np.nan
    x = x[~np.isnan(x).all(axis=1)]
    pats = patterns(x)
    n = len(x)
    mu = np.nanmean(x, axis=0)
    assert len(pats) > 20 and sum(pt.n for pt in pats) == n
    assert abs(pattern_f(pats, n, sigma, mu) - _naive_f(pats, n, sigma, mu)) < 1e-12
    G, m, _ = pattern_grad_parts(pats, n, sigma, mu)
    Gn, mn = np.zeros((6, 6)), np.zeros(6)
    for pt in pats:
        W = np.linalg.inv(sigma[np.ix_(pt.obs, pt.obs)])
        d = pt.mean - mu[pt.obs]
        Gn[np.ix_(pt.obs, pt.obs)] += pt.n / n * (W - W @ (pt.S + np.outer(d, d)) @ W)
        mn[pt.obs] += pt.n / n * (W @ d)
    assert np.max(np.abs(G - Gn)) < 1e-12 and np.max(np.abs(m - mn)) < 1e-12
    s_em, mu_em, _ = em_saturated(pats, 6, n)
    # the EM solution is the saturated maximum: the gradient there vanishes
    G0, m0, _ = pattern_grad_parts(pats, n, s_em, mu_em)
    assert np.max(np.abs(G0)) < 1e-6 and np.max(np.abs(m0)) < 1e-6
    assert _naive_f(pats, n, s_em, mu_em) <= _naive_f(pats, n, sigma, mu)


def test_fiml_speed_paths_equal_per_pattern_algebra():
    """The Schur-complement inverses of the patterns, the saturated Hessian over unordered pairs
    and the expected information through it equal per-pattern algebra (numeric for the Hessian:
    the saturated parameters enter Sigma linearly, so the first-order part is the whole Hessian)."""
    from avoid_survey.analysis.stats.cfa.estimate import GroupData
    from avoid_survey.analysis.stats.cfa.fiml import pattern_f, pattern_inverses, patterns
    from avoid_survey.analysis.stats.cfa.fiml_info import pattern_expected_information, saturated_hessian

    rng = np.random.default_rng(7)
    p = 5
    A = rng.standard_normal((p, p))
    sigma = A @ A.T / p + np.eye(p)
    x = rng.multivariate_normal(np.zeros(p), sigma, size=300)
    x[rng.random(x.shape) < 0.2] = np.nan
    x = x[~np.isnan(x).all(axis=1)]
    pats, n = patterns(x), len(x)
    mu = np.nanmean(x, axis=0) + 0.1
    assert any(b.mis.shape[1] > p / 2 for b, _, _ in pattern_inverses(pats, sigma))   # both routes
    for b, W, logdet in pattern_inverses(pats, sigma):
        for k in range(len(b.n)):
            so = sigma[np.ix_(b.obs[k], b.obs[k])]
            assert np.max(np.abs(W[k] - np.linalg.inv(so))) < 1e-12
            assert abs(logdet[k] - np.linalg.slogdet(so)[1]) < 1e-12
    gd = GroupData("all", n, sigma, mu, patterns=pats)
    a, b = np.triu_indices(p)

    def f_of(par):
        s = np.zeros((p, p))
        s[a, b] = s[b, a] = par[:len(a)]
        return pattern_f(pats, n, s, par[len(a):])

    par0 = np.concatenate([sigma[a, b], mu])
    H = saturated_hessian(gd, sigma, mu)
    h = 1e-4
    for i in range(0, len(par0), 3):
        for j in range(len(par0)):
            e_i, e_j = np.eye(len(par0))[i] * h, np.eye(len(par0))[j] * h
            num = (f_of(par0 + e_i + e_j) - f_of(par0 + e_i - e_j) - f_of(par0 - e_i + e_j)
                   + f_of(par0 - e_i - e_j)) / (4 * h * h)
            assert abs(num - H[i, j]) < 1e-5 * max(1.0, abs(H[i, j])), (i, j, num, H[i, j])
    U, V, dM = rng.standard_normal((p, 7)), rng.standard_normal((p, 7)), rng.standard_normal((7, p))
    naive = np.zeros((7, 7))
    for pt in pats:
        W = np.linalg.inv(sigma[np.ix_(pt.obs, pt.obs)])
        Uo, Vo, Mo = U[pt.obs], V[pt.obs], dM[:, pt.obs]
        for s_ in range(7):
            for t in range(7):
                ds = np.outer(Uo[:, s_], Vo[:, s_]) + np.outer(Vo[:, s_], Uo[:, s_])
                dt = np.outer(Uo[:, t], Vo[:, t]) + np.outer(Vo[:, t], Uo[:, t])
                naive[s_, t] += pt.n / n * (0.5 * np.trace(W @ ds @ W @ dt) + Mo[s_] @ W @ Mo[t])
    assert np.max(np.abs(pattern_expected_information(gd, sigma, U, V, dM) - naive)) < 1e-12


# ---- bad input: exit 2 with one line, or a result with a clear warning ------------------------

def _one_line(code, out, err, *words):
    assert code == 2 and out == "", (code, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, (w, err)


def test_group_partial_term_matching_nothing_exits_2(cli):
    code, out, err = cli("sem", HS, "--model", HS_MODEL, "--group", "school", "--group-equal", "loadings",
                         "--group-partial", "visual =~ x2, visual =~ x99", "-f", "json")
    _one_line(code, out, err, "'visual =~ x99'", "matches no parameter")
    code, out, err = cli("sem", HS, "--model", HS_MODEL, "--group", "school", "--group-equal", "loadings,intercepts",
                         "--group-partial", "visual =~ x2, x3 ~ 1, textual ~~ visual", "-f", "json")
    assert code == 0, err


def test_cmv_marker_text_column_exits_2(cli):
    code, out, err = cli("cmv", HS, "--instrument", REF / "cfa_hs_instrument.yaml", "--marker", "school")
    _one_line(code, out, err, "column 'school'", "'Pasteur'", "--marker", "row 1")


def test_empty_group(cli, tmp_path):
    df = pd.read_csv(HS)
    df["grp"] = df["school"]
    df.loc[df.index[:40], "grp"] = "Third"
    df.loc[df["grp"] == "Third", "x1"] = np.nan
    path = tmp_path / "g3.csv"
    df.to_csv(path, index=False)
    code, out, err = cli("sem", path, "--model", HS_MODEL, "--group", "grp", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert [g["group"] for g in d["groups"]] == ["Pasteur", "Grant-White"]
    assert any("'Third'" in str(w) and "no usable row" in str(w) for w in d["warnings"])
    df.loc[df["grp"] == "Grant-White", "x2"] = np.nan     # two of three groups empty
    df.to_csv(path, index=False)
    code, out, err = cli("sem", path, "--model", HS_MODEL, "--group", "grp", "-f", "json")
    _one_line(code, out, err, "'Grant-White'", "'Third'", "at least two groups")


def test_latent_with_one_indicator_and_free_variance_exits_2(cli):
    code, out, err = cli("sem", HS, "--model", "visual =~ x1 + x2 + x3\nspeed =~ x7\nspeed ~ visual", "-f", "json")
    _one_line(code, out, err, "one indicator")


def test_not_identified_exits_2(cli):
    code, out, err = cli("sem", HS, "--model", "f =~ x1 + x2\ng =~ x3 + x4\nf ~~ 0*g", "-f", "json")
    _one_line(code, out, err, "not identified")
    # with missing values too (the observed information alone does not settle identification here)
    code, out, err = cli("sem", HSM, "--model", "f =~ x1 + x2\ng =~ x3 + x4\nf ~~ 0*g", "--missing", "ml",
                         "-f", "json")
    _one_line(code, out, err, "not identified")


def test_heywood_negative_variance_is_a_warning(cli, tmp_path):
    """r12 = r13 = .8, r23 = .5: the loading of y1 is sqrt(.8 * .8 / .5) > 1, its residual
    variance negative; the result says so."""
    rng = np.random.default_rng(1)
    C = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    z = rng.standard_normal((300, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    y = z @ np.linalg.cholesky(C).T
    path = tmp_path / "hey.csv"
    pd.DataFrame(y, columns=["y1", "y2", "y3"]).to_csv(path, index=False)
    code, out, err = cli("sem", path, "--model", "f =~ y1 + y2 + y3", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    res = next(p for p in d["parameters"] if p["lhs"] == p["rhs"] == "y1" and p["op"] == "~~")
    assert res["estimate"] < 0
    assert any("Heywood" in str(w) and "y1" in str(w) for w in d["warnings"])


def test_non_convergence_is_a_warning(monkeypatch):
    import avoid_survey.analysis.stats.cfa.estimate as est
    from avoid_survey.analysis.stats.sem import sem

    monkeypatch.setitem(est.estimate.__kwdefaults__, "max_iter", 2)
    res = sem(pd.read_csv(HS), model=HS_MODEL + "\nspeed ~ visual")
    assert res.converged is False
    assert any("did not converge" in str(w) and "not to be trusted" in str(w) for w in res.warnings)
    assert not math.isnan(res.fit["chisq"])


def test_group_names_as_written_with_value_labels(cli):
    """Group codes read as numbers keep their written form ('1', not '1.0'); with an instrument
    that labels the grouping variable, each group carries its label in both languages."""
    from conftest import ROOT

    code, out, err = cli("sem", ROOT / "sample_data" / "responses.csv", "--instrument", "blame-avoidance-core-v2",
                         "--model", "ft_trust ~ accountability_pressure", "--group", "gender", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    by = {g["group"]: g for g in d["groups"]}
    assert set(by) == {"1", "2"} and set(d["r2"]) == {"1", "2"}
    assert by["1"]["label"] == {"zh": "男", "en": "Male"} and by["2"]["label"]["en"] == "Female"
    assert {p["group"] for p in d["parameters"] if p["op"] != ":="} == {"1", "2"}
    code, out, err = cli("sem", HS, "--model", HS_MODEL, "--group", "school", "-f", "json")
    assert code == 0 and all("label" not in g for g in json.loads(out)["groups"])


@pytest.mark.parametrize("kw", [{}, {"group": "school", "group_equal": ["loadings"]}])
def test_batched_bootstrap_equals_one_fit_at_a_time(monkeypatch, kw):
    """Resamples fitted a chunk at a time (batchfit) give the CIs of one Fisher-scoring fit
    per resample (both stop at a gradient of 1e-9 or F's rounding level)."""
    import avoid_survey.analysis.stats.sem.bootstrap as B
    from avoid_survey.analysis.stats.sem import sem

    model = (HS_MODEL + "\nspeed ~ a*visual + textual\nvisual ~ b*textual\nab := a*b")
    df = pd.read_csv(HS)
    batched = sem(df, model=model, bootstrap=70, seed=11, **kw)
    monkeypatch.setattr(B, "BATCH", False)
    single = sem(df, model=model, bootstrap=70, seed=11, **kw)
    assert batched.bootstrap["n_converged"] == single.bootstrap["n_converged"] == 70
    worst = max(abs(p[k] - q[k]) for p, q in zip(batched.parameters, single.parameters)
                for k in p if k.startswith("boot_") and p[k] is not None)
    assert worst < 1e-6
    ab = next(p for p in batched.parameters if p["op"] == ":=")
    assert ab["boot_ci_lower"] < ab["estimate"] < ab["boot_ci_upper"]
