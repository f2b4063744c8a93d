"""Every bundled template beside the truth: CI coverage over replicate data sets.

A *truth map* (``sample_data/template_truth.yaml``; data, never evaluated as Python) names,
for every template and each of its key terms, the true value as an expression over the
structural paths of the study spec::

    templates:
      serial_pressure_tightening:
        terms:
          - model: serial
            term: "indirect:inst_tightening -> risk_uncertainty"
            truth: "inst_tightening <- institutional_constraints * institutional_constraints <- accountability_pressure
                    * risk_uncertainty <- inst_tightening * passive_avoidance <- risk_uncertainty"
            coverage: 0.93        # documented rate of the 95% CI covering the truth
            null_effect: false    # true value 0: CIs should exclude 0 at about alpha

A path ``Y <- X`` is the declared coefficient of ``X`` in the equation of latent ``Y`` (``X``
as the study writes its effects: a latent, a variable, ``primary_task=2``, ``a:b``); a path
that the study does not declare is an error (write ``0`` for a null), so a renamed latent or
a dropped path cannot silently become 0. Expressions combine paths and numbers with ``*``,
``+``, ``-`` and parentheses; ``total(Y <- X)`` is the total effect of ``X`` on ``Y`` (the sum over
every directed path of the products of its coefficients), what a regression that leaves out the
mediators estimates (:func:`truth_value`, a small recursive-descent parser).

:func:`replicate_templates` simulates each replicate once from the study spec (the
``r``-th child of ``SeedSequence(seed)``, as ``simulate --replicate``) and fits every
template on it with the ``model`` command's :func:`run_spec`; per key term it counts the
replicates whose CI covers the true value and, for nulls, those whose CI excludes 0.
:func:`check_replication` compares those counts with the documented rates (binomial
tolerance). :func:`sample_estimates` fits every template once on the bundled sample and
:func:`beside_truth_markdown` writes the README table of estimates beside true values.
"""
from __future__ import annotations

import dataclasses
import math
import re
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import AvoidSurveyError
from .power import _n_jobs, _seedseq

__all__ = ["TruthMap", "TruthTerm", "load_truth_map", "truth_value", "replicate_templates", "ReplicationResult",
           "check_replication", "sample_estimates", "beside_truth_markdown", "README_HEADING"]

README_HEADING = "## Every template beside the truth"

# ================================================================ truth expressions
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|(?P<arrow><-)|(?P<op>[-+*()])"
                    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:=[A-Za-z0-9_.]+)?(?::[A-Za-z][A-Za-z0-9_]*(?:=[A-Za-z0-9_.]+)?)*))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise AvoidSurveyError(f"truth expression '{text}': cannot read '{text[pos:].strip()[:20]}'")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _paths(study) -> dict[tuple[str, str], float]:
    """{(Y, X): coefficient} of every declared effect; an undeclared facet is its scale's latent
    plus noise, so it gets the path (facet, scale) = 1."""
    from .power import normalize_term

    out = {}
    for plan in study.latents:
        if plan.parent is None and plan.declared:
            for t in plan.terms:
                key = normalize_term(t.key)
                if key is not None:
                    out[(plan.id, key)] = float(t.coef)
        elif plan.parent is not None and not plan.declared:
            out[(plan.id, plan.parent)] = 1.0
    return out


def _total(paths: dict, y: str, x: str, memo: dict, depth: int = 0) -> float:
    """The total effect of ``x`` on ``y``: the sum over every directed path of the products of
    its linear coefficients (interaction and indicator terms are not paths through a latent; the
    average effect through a product of mean-centred factors is 0)."""
    if y == x:
        return 1.0
    if (y, x) in memo:
        return memo[(y, x)]
    if depth > 200:  # pragma: no cover - the study's equations are recursive by construction
        raise AvoidSurveyError("truth expression: the paths of the study form a cycle")
    val = 0.0
    for (yy, z), c in paths.items():
        if yy == y and ":" not in z and "=" not in z and "^" not in z:
            val += c * _total(paths, z, x, memo, depth + 1)
    memo[(y, x)] = val
    return val


def truth_value(expr, study) -> float:
    """The value of a truth expression (a number, or paths ``Y <- X`` combined with ``* + -``
    and parentheses) under the study's declared structural coefficients.

    ``study``: a :class:`~.spec.Study`, a path to a study spec, or a ``{(Y, X): coef}``
    mapping. An undeclared path or a malformed expression raises AvoidSurveyError.
    """
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return float(expr)
    if not isinstance(expr, str) or not expr.strip():
        raise AvoidSurveyError(f"truth expression must be a number or text, got {expr!r}")
    if isinstance(study, dict):
        paths = study
    else:
        if not hasattr(study, "latents"):
            from .spec import load_study
            study = load_study(study)
        paths = _paths(study)
    toks = _tokens(expr)
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else (None, None)

    def take(kind=None, value=None):
        nonlocal pos
        k, v = peek()
        if k is None or (kind and k != kind) or (value and v != value):
            want = value or kind or "more"
            raise AvoidSurveyError(f"truth expression '{expr}': expected {want} at token {pos + 1}")
        pos += 1
        return v

    def factor() -> float:
        k, v = peek()
        if k == "op" and v == "-":
            take()
            return -factor()
        if k == "op" and v == "(":
            take()
            val = summ()
            take("op", ")")
            return val
        if k == "num":
            return float(take())
        if k == "name" and v == "total" and pos + 1 < len(toks) and toks[pos + 1] == ("op", "("):
            from .power import normalize_term
            take()
            take("op", "(")
            y = take("name")
            take("arrow")
            x = normalize_term(take("name"))
            take("op", ")")
            known = {a for a, _ in paths} | {b for _, b in paths}
            for v_ in (y, x):
                if v_ not in known:
                    raise AvoidSurveyError(f"truth expression '{expr}': '{v_}' is not a variable of the study")
            return _total(paths, y, x, {})
        if k == "name":
            from .power import normalize_term
            y = take()
            take("arrow")
            x = normalize_term(take("name"))
            if (y, x) not in paths:
                raise AvoidSurveyError(f"truth expression '{expr}': the study declares no path {y} <- {x} "
                                       f"(write 0 for a null effect)")
            return paths[(y, x)]
        raise AvoidSurveyError(f"truth expression '{expr}': expected a number or a path 'Y <- X' at token {pos + 1}")

    def product() -> float:
        val = factor()
        while peek() == ("op", "*"):
            take()
            val *= factor()
        return val

    def summ() -> float:
        val = product()
        while peek()[0] == "op" and peek()[1] in "+-":
            op = take()
            val = val + product() if op == "+" else val - product()
        return val

    val = summ()
    if pos != len(toks):
        raise AvoidSurveyError(f"truth expression '{expr}': unexpected '{toks[pos][1]}'")
    return val


# ================================================================ the truth map
@dataclass(frozen=True)
class TruthTerm:
    template: str
    model: str
    term: str            # a coefficient's term, or "effect:via" of an effect (indirect:m, defined:d, direct, total)
    truth: str           # the expression as written
    value: float         # its value under the study
    coverage: float      # documented rate of CIs covering the value
    null: bool
    label: str = ""
    note: str = ""
    reject: float | None = None   # nulls: documented share of CIs excluding 0 when above alpha
    replicate: bool = True        # False: too slow to refit in the replication (the README still shows it)


@dataclass(frozen=True)
class TruthMap:
    path: str
    alpha: float
    replicates_documented: int
    studies: dict        # template -> study spec path (absolute)
    data: dict           # template -> bundled sample data file (absolute)
    notes: dict          # template -> text
    terms: list          # TruthTerm
    fit_models: dict = field(default_factory=dict)   # template -> the models refitted per replicate (None: all)

    @property
    def templates(self) -> list[str]:
        return list(dict.fromkeys(t.template for t in self.terms))

    def for_template(self, name: str) -> list[TruthTerm]:
        return [t for t in self.terms if t.template == name]


def load_truth_map(path) -> TruthMap:
    """Read a truth map; every expression is evaluated against its study (errors name the
    file and the template)."""
    from ..core.yamlsafe import load_yaml
    from .spec import load_study

    p = Path(path)
    doc = load_yaml(p)
    d = doc.data if isinstance(doc.data, dict) else {}
    base = p.resolve().parent
    default_study = base / str(d.get("study", "study.yaml"))
    default_data = base / str(d.get("data", "responses.csv"))
    studies_cache: dict = {}
    studies, datas, notes, terms, fit_models = {}, {}, {}, [], {}
    tpls = d.get("templates")
    if not isinstance(tpls, dict) or not tpls:
        raise AvoidSurveyError("truth map: 'templates' must map template names to their terms", file=p, line=1)
    for name, entry in tpls.items():
        line = doc.line_of(("templates", name))
        if not isinstance(entry, dict) or not isinstance(entry.get("terms"), list):
            raise AvoidSurveyError(f"truth map: template '{name}' needs a list 'terms'", file=p, line=line)
        sp = (base / entry["study"]) if entry.get("study") else default_study
        studies[name] = str(sp)
        datas[name] = str((base / entry["data"]) if entry.get("data") else default_data)
        notes[name] = str(entry.get("note", "")).strip()
        subset = entry.get("replicate_models")
        fit_models[name] = [str(x) for x in subset] if isinstance(subset, list) else None
        if str(sp) not in studies_cache:
            studies_cache[str(sp)] = _paths(load_study(sp))
        for k, t in enumerate(entry["terms"]):
            tl = doc.line_of(("templates", name, "terms", k))
            try:
                value = truth_value(t["truth"], studies_cache[str(sp)])
                terms.append(TruthTerm(str(name), str(t["model"]), str(t["term"]), str(t["truth"]), value,
                                       float(t["coverage"]), bool(t.get("null_effect", False)), str(t.get("label", "")),
                                       str(t.get("note", "")).strip(),
                                       None if t.get("reject") is None else float(t["reject"]),
                                       subset is None or _base_model(str(t["model"])) in subset))
            except (KeyError, TypeError, ValueError) as exc:
                raise AvoidSurveyError(f"truth map: template '{name}', term {k + 1}: needs model, term, truth and "
                                       f"coverage ({exc})", file=p, line=tl) from None
            except AvoidSurveyError as exc:
                raise AvoidSurveyError(f"truth map: template '{name}': {exc.message}", file=p, line=tl) from None
    return TruthMap(str(p), float(d.get("alpha", 0.05)), int(d.get("replicates_documented", 0)), studies, datas,
                    notes, terms, fit_models)


def _base_model(name: str) -> str:
    """'passive (step 3)' and 'passive [complete answers]' are fits of the spec's model 'passive'."""
    return re.sub(r"\s*(\(step \d+\)|\[[^\]]*\])\s*$", "", name)


# ================================================================ fitting one data set
def _flatten(mf) -> dict:
    """{key: (estimate, se, p, ci_lower, ci_upper)} of one fitted model: its coefficients by
    term; its effects as 'effect:via' ('effect' when via is empty), with '@level' for a
    conditional effect at a moderator level ('indirect:m@mean', 'direct@p50'); each index of
    moderated mediation as 'index:via'."""
    out = {}
    for c in mf.coefficients:
        out[c.term] = (c.estimate, c.se, c.p, c.ci_lower, c.ci_upper)
    for e in mf.effects or []:
        key = e.get("effect", "")
        if e.get("via"):
            key = f"{key}:{e['via']}"
        if e.get("level") is not None:
            key = f"{key}@{e['level']}"
        out.setdefault(key, (e.get("estimate"), e.get("se"), e.get("p"), e.get("ci_lower"), e.get("ci_upper")))
    imm = (mf.extra or {}).get("index_of_moderated_mediation")
    for e in imm if isinstance(imm, list) else []:
        if isinstance(e, dict) and e.get("estimate") is not None:
            out.setdefault(f"index:{e.get('via')}", (e.get("estimate"), e.get("se"), e.get("p"), e.get("ci_lower"),
                                                     e.get("ci_upper")))
    return out


def _fit_map(template: str, boot_n: int | None, models: list | None = None) -> dict:
    """A template as a mapping without its data sources, bootstrap resamples capped at ``boot_n``,
    only ``models`` (names) when given."""
    from ..stats.models.templates import template_path
    from .power import _fit_mapping

    fm = _fit_mapping(template_path(template))
    if models is not None:
        fm["models"] = [m for m in fm.get("models") or [] if isinstance(m, dict) and m.get("name") in models]
    if boot_n is not None:
        for m in fm.get("models") or []:
            if isinstance(m, dict) and isinstance(m.get("bootstrap"), dict):
                m["bootstrap"] = {**m["bootstrap"], "n": min(int(m["bootstrap"].get("n", boot_n)), boot_n)}
    return fm


def fit_templates(frame, templates, base_dir, boot_n: int | None = None) -> dict:
    """Fit each template on one data frame: {template: {model: flattened}} (a template that fails
    gives {"__error__": message}). ``templates``: names, or {name: model names or None}."""
    from ..stats.models.run import run_spec

    out = {}
    subsets = templates if isinstance(templates, dict) else dict.fromkeys(templates)
    for name, models in subsets.items():
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                res = run_spec(_fit_map(name, boot_n, models), data=frame, base_dir=str(base_dir))
            out[name] = {mf.name: _flatten(mf) for mf in res.models}
        except AvoidSurveyError as exc:
            out[name] = {"__error__": exc.one_line()}
    return out


# ================================================================ replicates
_STUDIES: dict = {}


def _replicate_worker(args):
    study_path, templates, entropy, spawn_key, index, boot_n = args
    import numpy as np

    from .generation import simulate
    from .power import _cached_study

    study = _cached_study(study_path)
    ss = np.random.SeedSequence(entropy=entropy, spawn_key=tuple(spawn_key))
    try:
        frame = simulate(study, ss).joined()
    except AvoidSurveyError as exc:
        return index, study_path, {t: {"__error__": exc.one_line()} for t in dict(templates)}
    return index, study_path, fit_templates(frame, templates, Path(study_path).parent, boot_n)


@dataclass(frozen=True)
class ReplicationResult:
    """Per key term over the replicates: true value, documented coverage, the share of CIs
    covering it, the share excluding 0 (rejections), mean estimate and replicates fitted."""

    truth_map: str
    replicates: int
    seed: int
    boot_n: int | None
    rows: list = field(default_factory=list)    # dicts
    errors: list = field(default_factory=list)  # (template, message)
    fits: list = field(default_factory=list, repr=False, compare=False)   # raw fits, to re-score

    def to_dict(self) -> dict:
        return {"truth_map": self.truth_map, "replicates": self.replicates, "seed": self.seed,
                "boot_n": self.boot_n, "rows": [dict(r) for r in self.rows], "errors": list(self.errors)}


def replicate_templates(truth_map, replicates: int = 40, *, seed: int = 1, jobs: int | None = None,
                        boot_n: int | None = 200, templates=None, fits: list | None = None) -> ReplicationResult:
    """Simulate ``replicates`` data sets from each study of the truth map and fit every
    template on each (one simulation per replicate serves all templates of that study).

    ``fits`` (optional) are the raw per-replicate fits of an earlier run, so a changed truth
    map can be re-scored without refitting (:func:`score_replicates`).
    """
    tm = truth_map if isinstance(truth_map, TruthMap) else load_truth_map(truth_map)
    names = list(templates) if templates else tm.templates
    if fits is None:
        fits = run_replicates(tm, names, replicates, seed=seed, jobs=jobs, boot_n=boot_n)
    res = score_replicates(tm, fits, names, replicates, seed=seed, boot_n=boot_n)
    return dataclasses.replace(res, fits=fits)


def run_replicates(tm: TruthMap, names: list[str], replicates: int, *, seed: int = 1, jobs: int | None = None,
                   boot_n: int | None = 200) -> list:
    """The raw fits: a list of (index, study, {template: {model: flattened}})."""
    by_study: dict = {}
    for n in names:
        by_study.setdefault(tm.studies[n], {})[n] = tm.fit_models.get(n)
    args = []
    for sp, tpls in by_study.items():
        for i, c in enumerate(_seedseq(seed).spawn(replicates)):
            args.append((sp, tpls, c.entropy, c.spawn_key, i, boot_n))
    jobs = _n_jobs(jobs, len(args))
    if jobs == 1:
        return [_replicate_worker(a) for a in args]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
        return list(ex.map(_replicate_worker, args, chunksize=1))


def score_replicates(tm: TruthMap, fits: list, names: list[str], replicates: int, *, seed: int = 1,
                     boot_n: int | None = None) -> ReplicationResult:
    import numpy as np

    rows, errors = [], []
    for t in (t for t in tm.terms if t.template in names and t.replicate):
        est, cover, reject, n = [], 0, 0, 0
        for _i, _sp, res in fits:
            r = res.get(t.template, {})
            if "__error__" in r:
                continue
            got = (r.get(t.model) or {}).get(t.term)
            if got is None or got[3] is None or got[4] is None or not np.isfinite([got[0], got[3], got[4]]).all():
                continue
            n += 1
            est.append(got[0])
            cover += got[3] <= t.value <= got[4]
            reject += not (got[3] <= 0.0 <= got[4])
        rows.append({"template": t.template, "model": t.model, "term": t.term, "truth": t.truth, "true": t.value,
                     "null": t.null, "documented": t.coverage, "documented_reject": t.reject, "n": n,
                     "coverage": cover / n if n else None, "reject": reject / n if n else None,
                     "mean_estimate": float(np.mean(est)) if est else None})
    for _i, _sp, res in fits:
        for name, r in res.items():
            if "__error__" in r:
                errors.append((name, r["__error__"]))
    return ReplicationResult(tm.path, replicates, seed, boot_n, rows, errors, fits)


def binomial_tails(k: int, n: int, p: float) -> tuple[float, float]:
    """P(X <= k) and P(X >= k) for X ~ Binomial(n, p), exactly (n is a few hundred at most)."""
    pmf = [math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(n + 1)]
    return min(1.0, sum(pmf[:k + 1])), min(1.0, sum(pmf[k:]))


def predictive_tails(k: int, n: int, rate: float, n_doc: int) -> tuple[float, float]:
    """P(X <= k) and P(X >= k) for the count X of n new replicates when the documented rate was
    measured on ``n_doc`` replicates: the beta-binomial predictive distribution with the
    documented count and Jeffreys' prior, Beta(k_doc + 1/2, n_doc - k_doc + 1/2). It allows for
    the documented rate's own sampling error; with ``n_doc`` 0 it is the binomial at ``rate``."""
    if n_doc <= 0:
        return binomial_tails(k, n, min(max(rate, 0.02), 0.98))
    a = rate * n_doc + 0.5
    b = (1 - rate) * n_doc + 0.5
    lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    pmf = [math.exp(math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
                    + math.lgamma(j + a) + math.lgamma(n - j + b) - math.lgamma(n + a + b) - lbeta)
           for j in range(n + 1)]
    return min(1.0, sum(pmf[:k + 1])), min(1.0, sum(pmf[k:]))


def check_replication(result: ReplicationResult, alpha: float = 0.05, level: float = 0.001,
                      n_doc: int = 200) -> list[str]:
    """Every key term whose number of covering CIs is outside the central ``1 - level`` of its
    predictive distribution given the documented rate (measured on ``n_doc`` replicates:
    :func:`predictive_tails`), every null whose number of CIs excluding 0 is in the upper
    ``level / 2`` tail (of Binomial(n, alpha), or of the predictive distribution of its documented
    rejection rate when the method biases it), every term never fitted, every template that
    failed. An empty list means the replication agrees with the truth map. (``level`` 0.001 per
    term keeps the chance of a false alarm over ~90 terms under 10%; a wrong truth moves a
    coverage by far more.)"""
    bad = []
    for r in result.rows:
        where = f"{r['template']}/{r['model']}/{r['term']}"
        n = r["n"]
        if not n:
            bad.append(f"{where}: no replicate produced it")
            continue
        k = round(r["coverage"] * n)
        lo, hi = predictive_tails(k, n, r["documented"], n_doc)
        if min(lo, hi) < level / 2:
            bad.append(f"{where}: {k} of {n} CIs cover the true {r['true']:.4g} ({k / n:.3f}); documented "
                       f"{r['documented']:.3f} (tail probability {min(lo, hi):.2g})")
        if r["null"]:
            doc = r.get("documented_reject")
            kr = round(r["reject"] * n)
            tail = (predictive_tails(kr, n, doc, n_doc) if doc else binomial_tails(kr, n, alpha))[1]
            if tail < level / 2:
                bad.append(f"{where}: a null effect excluded 0 in {kr} of {n} replicates ({kr / n:.3f}; expected "
                           f"about {doc or alpha:.3f}, tail probability {tail:.2g})")
    for name, msg in dict(result.errors).items():
        bad.append(f"{name}: failed to fit: {msg}")
    return bad


# ================================================================ the bundled sample
def sample_estimates(truth_map) -> dict:
    """Every template of the truth map fitted once on its bundled sample data (full bootstrap):
    {template: {model: flattened}}."""
    import pandas as pd  # noqa: F401  (run_spec reads the data)

    from ..stats.models.run import run_spec
    from ..stats.models.templates import resolve_spec_source

    tm = truth_map if isinstance(truth_map, TruthMap) else load_truth_map(truth_map)
    out = {}
    for name in tm.templates:
        loaded, base, _ = resolve_spec_source(None, name, tm.data[name])
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            res = run_spec(loaded, base_dir=base)
        out[name] = {mf.name: _flatten(mf) for mf in res.models}
    return out


def _fmt(x, nd=3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{nd}f}".replace("-", "−") if x < 0 else f"{x:.{nd}f}"


def _verdict(t: TruthTerm, got) -> str:
    lo, hi = got[3], got[4]
    covers = lo <= t.value <= hi
    excl0 = not (lo <= 0.0 <= hi)
    if t.null:
        return "false positive: the CI excludes the true 0" if excl0 else "null, and the CI holds 0"
    if not excl0:
        return "miss: the CI holds 0 although the true value is not 0"
    return "the CI covers the true value" if covers else "significant, but the CI misses the true value"


def _flag_sentence(name: str, t: TruthTerm, got, verdict: str) -> str:
    """One sentence on a false positive, a miss or an estimate whose CI misses the truth."""
    where = f"`{name}` {t.model} `{t.term}`" + (f" ({t.label})" if t.label else "")
    est = f"{_fmt(got[0])} [{_fmt(got[3])}, {_fmt(got[4])}]"
    rate = "" if not t.replicate else " over the documented replicates"
    if verdict.startswith("false"):
        rej = t.reject if t.reject is not None else None
        tail = ("the chance error a 5% test makes" if rej is None or rej <= 0.1 else
                "the template's documented bias, not chance (see its note)")
        share = f"{rej:.0%}" if rej is not None else "about 5%"
        return (f"{where}: {est} although the true value is 0; such a CI excludes 0 in {share} of samples"
                f"{rate}, so this is {tail}.")
    cov = ("its coverage is not measured (the model is not refitted in the replication)" if not t.replicate else
           f"the CI covers the truth in {t.coverage:.0%} of samples")
    if verdict.startswith("miss"):
        return (f"{where}: {est} holds 0 although the true value is {_fmt(t.value)}; {cov}, and the estimate is too "
                f"small to separate from 0 here (see the note).")
    return f"{where}: {est} is significant but misses the true {_fmt(t.value)}; {cov} (see the note)."


def beside_truth_markdown(truth_map, estimates: dict | None = None) -> str:
    """The README section: every template's key estimates on the bundled sample beside the true
    values, with a verdict per row and the template's note. Deterministic (the templates'
    bootstrap seeds are fixed), so a test can compare it with the README."""
    tm = truth_map if isinstance(truth_map, TruthMap) else load_truth_map(truth_map)
    est = estimates if estimates is not None else sample_estimates(tm)
    lines = [README_HEADING, "",
             "Generated by `python -m avoid_survey.analysis.simulate.replication readme` from "
             "`template_truth.yaml` (the truth map: each key term's true value as paths of `study.yaml`, and the "
             f"documented 95% CI coverage from {tm.replicates_documented} replicates of `simulate --replicate`); "
             "`tests/test_template_replication.py` checks that this section equals the regenerated table and that "
             "the coverage over fresh replicates agrees with the documented rate. Each template is run as its "
             "header says, on the bundled sample (`--data sample_data/responses.csv`, or "
             "`sample_data/two_wave/responses.csv` for the panel template).", "",
             "| template | model | term | estimate | 95% CI | true | truth (paths of study.yaml) | coverage | "
             "on this sample |",
             "|---|---|---|---|---|---|---|---|---|"]
    counts = {"fp": 0, "miss": 0, "off": 0, "ok": 0}
    flagged = []
    for name in tm.templates:
        for t in tm.for_template(name):
            got = (est.get(name, {}).get(t.model) or {}).get(t.term)
            term = f"`{t.term}`" + (f" ({t.label})" if t.label else "")
            cov = "not replicated" if not t.replicate else f"{t.coverage:.0%}"
            if t.null:
                cov += f" (null; excludes 0: {t.reject if t.reject is not None else tm.alpha:.0%})"
            if got is None:
                lines.append(f"| `{name}` | {t.model} | {term} | – | – | {_fmt(t.value)} | `{t.truth}` | {cov} | "
                             f"not estimated |")
                continue
            v = _verdict(t, got)
            if not v.startswith(("the CI covers", "null, and")):
                flagged.append((name, t, got, v))
            counts["fp" if v.startswith("false") else "miss" if v.startswith("miss") else
                   "off" if v.startswith("significant") else "ok"] += 1
            lines.append(f"| `{name}` | {t.model} | {term} | {_fmt(got[0])} | [{_fmt(got[3])}, {_fmt(got[4])}] | "
                         f"{_fmt(t.value)} | `{t.truth}` | {cov} | {v} |")
    lines += ["", f"On this sample: {counts['ok']} key estimates cover their true value or correctly hold 0, "
                  f"{counts['off']} are significant but miss the true value (attenuation or omitted paths), "
                  f"{counts['miss']} miss a true effect and {counts['fp']} are false positives.", ""]
    if flagged:
        lines += ["False positives and misses on this sample, one sentence each:", ""]
        lines += [f"- {_flag_sentence(name, t, got, v)}" for name, t, got, v in flagged]
        lines += ["", "Why each template recovers or misses its truth:", ""]
    for name in tm.templates:
        if tm.notes.get(name):
            lines.append(f"- `{name}`: {' '.join(tm.notes[name].split())}")
    return "\n".join(lines).rstrip() + "\n"


def replace_readme_section(readme_text: str, section: str) -> str:
    """The README with its final section (from :data:`README_HEADING` to the end) replaced by
    ``section``; appended when the heading is absent."""
    i = readme_text.find(README_HEADING)
    head = readme_text[:i] if i >= 0 else readme_text.rstrip("\n") + "\n\n"
    return head + section


def _main(argv=None) -> int:  # pragma: no cover - a maintainer's script
    import argparse
    import json

    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(prog="python -m avoid_survey.analysis.simulate.replication")
    ap.add_argument("what", choices=["readme", "replicate"])
    ap.add_argument("--truth", default=str(root / "sample_data" / "template_truth.yaml"))
    ap.add_argument("--readme", default=str(root / "sample_data" / "README.md"))
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    if a.what == "readme":
        p = Path(a.readme)
        p.write_text(replace_readme_section(p.read_text(encoding="utf-8"), beside_truth_markdown(a.truth)),
                     encoding="utf-8")
        return 0
    res = replicate_templates(a.truth, a.replicates, seed=a.seed, jobs=a.jobs, boot_n=a.boot)
    if a.json:
        Path(a.json).write_text(json.dumps(res.to_dict(), indent=1), encoding="utf-8")
    for r in res.rows:
        print(f"{r['template']:30s} {r['model']:16s} {r['term']:50s} true {r['true']:+.4f} "
              f"mean {r['mean_estimate'] if r['mean_estimate'] is None else round(r['mean_estimate'], 4)} "
              f"cov {r['coverage']} rej {r['reject']} n {r['n']} doc {r['documented']}")
    for e in res.errors[:10]:
        print("ERROR", e)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
