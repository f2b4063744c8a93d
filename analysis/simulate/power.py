"""Power analysis: refit a model spec on replicate data sets (``simulate --replicate R --fit SPEC``).

Replicate ``r`` is simulated from the ``r``-th child of ``SeedSequence(seed)`` and fitted
with the ``model`` command's :func:`run_spec`; per model and coefficient the replicates give
the mean estimate, its bias against the declared structural coefficient, the empirical and
mean SE, power and CI coverage (:class:`PowerResult`). Results do not depend on the number
of parallel jobs.
"""
from __future__ import annotations

import os
import re
import tempfile
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import AvoidSurveyError, AvoidSurveyWarning
from ..core.i18n import tr
from ..core.records import WarningRecord
from ..core.table import Column, Table
from ..core.yamlsafe import load_yaml
from .generation import Simulation, _seedseq, simulate
from .progress import Progress, stderr_tty
from .spec import _ID_RE, Study, load_study

__all__ = ["PowerResult", "power_analysis", "normalize_term"]


# ================================================================ model terms <-> spec effects
_CAT_RE = re.compile(r"^C\(\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:,[^\[]*)?\)\[(?:T\.)?([^\]]+)\]$")
_LEVEL_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[(?:T\.)?([^\]]+)\]$")
_WRAP_RE = re.compile(r"^(?:center|centre|center_within|cwc)\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)$")
_SQUARE_RE = re.compile(r"^I\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\*\*\s*2\s*\)$")


def _norm_value(v: str) -> str:
    try:
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    except ValueError:
        return v.strip()


def _norm_factor(part: str) -> str | None:
    part = part.strip()
    m = _CAT_RE.match(part) or _LEVEL_RE.match(part)
    if m:
        return f"{m.group(1)}={_norm_value(m.group(2))}"
    m = _WRAP_RE.match(part)
    if m:
        return m.group(1)
    if "=" in part:
        a, b = part.split("=", 1)
        return f"{a.strip()}={_norm_value(b)}"
    if part.endswith("^2"):
        return part[:-2].strip() + "^2"
    m = _SQUARE_RE.match(part)
    if m:
        return m.group(1) + "^2"
    if _ID_RE.match(part):
        return part
    return None


def normalize_term(term: str, aliases: dict | None = None) -> str | None:
    """A model term or a spec effect in one canonical form, or None when it cannot be mapped.

    ``C(primary_task)[T.2]`` and ``primary_task=2`` -> ``primary_task=2``;
    ``center(x)`` -> ``x``; ``b:a`` -> ``a:b`` (factors sorted). ``aliases`` maps a column
    made by a centring transform of the model spec (``{var: x, op: center, as: x_c}``) to
    its source variable.
    """
    parts = [_norm_factor(p) for p in _split_colon(term)]
    if any(p is None for p in parts):
        return None
    if aliases:
        out = []
        for p in parts:
            base, sep, rest = p.partition("=")
            if base.endswith("^2"):
                out.append(aliases.get(base[:-2], base[:-2]) + "^2")
            else:
                out.append(aliases.get(base, base) + sep + rest)
        parts = out
    return ":".join(sorted(parts))


def _split_colon(term: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in term:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == ":" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _true_values(study: Study) -> dict[str, dict[str, float]]:
    out = {}
    for plan in study.latents:
        if plan.parent is None and plan.declared:
            out[plan.id] = {}
            for t in plan.terms:
                key = normalize_term(t.key)
                if key is not None:
                    out[plan.id][key] = t.coef
    return out


# ================================================================ the model spec
def _model_outcomes(fit_path):
    """From the model spec: {model name: (family, outcome variable)} and {centred column: source}.

    Only transforms that keep the metric map back to a variable: ``center``, ``categorical``,
    and ``group_center`` / ``group_mean`` (the simulated effects are individual-level, so the
    within- and between-cluster slopes both equal the declared coefficient).
    """
    doc = load_yaml(fit_path)
    data = doc.data if isinstance(doc.data, dict) else {}
    aliases = {}
    for t in data.get("transforms") or []:
        if isinstance(t, dict) and t.get("op") in ("center", "categorical", "group_center", "group_mean") \
                and isinstance(t.get("var"), str):
            target = t.get("as") or t["var"]
            if isinstance(target, str):
                aliases[target] = t["var"]
    out = {}
    for k, m in enumerate(data.get("models") or []):
        if not isinstance(m, dict):
            continue
        lhs = None
        if isinstance(m.get("formula"), str) and "~" in m["formula"]:
            lhs = m["formula"].split("~", 1)[0].strip()
            w = _WRAP_RE.match(lhs)
            lhs = w.group(1) if w else lhs
        elif isinstance(m.get("y"), str):
            lhs = m["y"]
        out[str(m.get("name", f"model{k + 1}"))] = (m.get("family"), aliases.get(lhs, lhs) if lhs else lhs)
    return out, aliases


def _fit_mapping(fit_path) -> dict:
    """The model spec as a mapping without its data sources: every model is fitted on the
    replicate (whose unit-level variables are already joined)."""
    doc = load_yaml(fit_path)
    if not isinstance(doc.data, dict):
        raise AvoidSurveyError("a model spec must be a YAML mapping (data, instrument, models...)",
                               file=fit_path, line=1)
    d = {k: v for k, v in doc.data.items() if k not in ("data", "units")}
    if isinstance(d.get("models"), list):
        d["models"] = [{k: v for k, v in m.items() if k not in ("data", "units")} if isinstance(m, dict) else m
                       for m in d["models"]]
    return d


def _flags_wanted(fit_map: dict) -> list[str]:
    """Flag columns (``validate --clean``) the model spec filters on."""
    names = []
    filt = fit_map.get("filters")
    if isinstance(filt, dict) and isinstance(filt.get("exclude_flags"), list):
        names += filt["exclude_flags"]
    for m in fit_map.get("models") or []:
        for r in (m.get("robustness") or []) if isinstance(m, dict) else []:
            if isinstance(r, dict) and isinstance(r.get("exclude_flags"), list):
                names += r["exclude_flags"]
    return [str(n) for n in dict.fromkeys(names)]


def _base_model_name(name: str) -> str:
    """'passive (step 2)' and 'passive [complete answers]' belong to model 'passive'."""
    return re.sub(r"\s*(\(step \d+\)|\[[^\]]*\])\s*$", "", name)


def _run_spec_fn():
    """``run_spec`` of the model package (``avoid-survey model``)."""
    try:
        from avoid_survey.analysis.stats.models import run_spec
        return run_spec
    except ImportError:
        pass
    try:
        from avoid_survey.analysis.stats.models.run import run_spec
        return run_spec
    except ImportError:
        raise AvoidSurveyError("power analysis needs the `model` command, which is not available in this "
                               "installation") from None


# ================================================================ one replicate
_STUDY_CACHE: dict = {}


def _cached_study(path: str) -> Study:
    key = (path, os.path.getmtime(path))
    if key not in _STUDY_CACHE:
        _STUDY_CACHE.clear()
        _STUDY_CACHE[key] = load_study(path)
    return _STUDY_CACHE[key]


def _fit_one(args):
    """Worker: simulate replicate ``index`` and fit the model spec on it."""
    spec_path, fit_path, fit_map, entropy, spawn_key, index = args
    import numpy as np

    study = _cached_study(str(spec_path))
    ss = np.random.SeedSequence(entropy=entropy, spawn_key=tuple(spawn_key))
    try:
        sim = simulate(study, ss)
        frame = sim.joined()
        wanted = _flags_wanted(fit_map)
        if wanted:
            frame = _with_flags(sim, frame, wanted)
        res = _run_spec(fit_path, fit_map, frame)
    except AvoidSurveyError as exc:
        return index, None, exc.one_line()
    except Exception as exc:  # a failing replicate is counted, not fatal
        return index, None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    return index, res, None


def _with_flags(sim: Simulation, frame, wanted: list[str]):
    """Add validate's careless-response flags (default thresholds) to a replicate frame."""
    import tempfile

    try:
        from ..validate import FLAG_COLUMNS, clean_frame, validate
    except ImportError:  # pragma: no cover - validate is part of the package
        return frame
    if not any(w in FLAG_COLUMNS for w in wanted):
        return frame
    inst = sim.study.instrument
    with tempfile.TemporaryDirectory(prefix="avoid-sim-", dir=_TMP_ROOT) as td:
        p = Path(td) / "replicate.csv"
        sim.responses.to_csv(p, index=False)
        rep = validate(p, inst)
        clean = clean_frame(rep, keep_pii=True, instrument=inst)
    out = frame.copy()
    for c in FLAG_COLUMNS:
        if c in clean.columns and c not in out.columns:
            out[c] = clean[c].to_numpy()
    return out


def _run_spec(fit_path, fit_map, frame):
    """Fit every model of the spec; returns {model: (family, n, [(term, est, se, p, lo, hi)])}."""
    run_spec = _run_spec_fn()
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = run_spec(fit_map, data=frame, base_dir=str(Path(fit_path).parent))
    out = {}
    for mf in res.models:
        out[mf.name] = (mf.family, mf.n, [(c.term, c.estimate, c.se, c.p, c.ci_lower, c.ci_upper)
                                          for c in mf.coefficients])
    return out


# ================================================================ the result
@dataclass(frozen=True)
class PowerResult:
    """Power analysis over replicate data sets (``simulate --replicate R --fit SPEC``).

    Per model and coefficient: ``true`` (the declared structural coefficient when the
    model's outcome is a declared latent and the term maps onto one of its effects, else
    None), ``mean_estimate``, ``bias`` (mean - true), ``empirical_se`` (SD of the
    estimates, ddof=1), ``mean_se`` (mean reported SE), ``power`` (share of replicates
    with p < alpha), ``coverage`` (share of CIs holding the true value) and ``n`` (replicates
    that produced the term).
    """

    spec: str
    fit: str
    replicates: int
    n_ok: int
    seed: int
    alpha: float
    n_mean: float
    models: list
    warnings: list = field(default_factory=list)   # WarningRecord (JSON: their messages)

    def to_dict(self) -> dict:
        return {"spec": self.spec, "fit": self.fit, "replicates": self.replicates, "n_ok": self.n_ok,
                "n_failed": self.replicates - self.n_ok, "seed": self.seed, "alpha": self.alpha,
                "n_per_replicate": self.n_mean, "models": self.models, "warnings": [str(w) for w in self.warnings]}

    def to_tables(self, lang: str = "en") -> list[Table]:
        return [self._table(m, lang) for m in self.models]

    def _table(self, m: dict, lang: str) -> Table:
        title = tr("sim_power_title", lang).format(model=m["name"], ok=m["replicates_ok"], replicates=self.replicates,
                                                   n=m["n_mean"])
        t = Table(title,
                  [Column("term", "@term", "text"),
                   Column("true", "@sim_true", "num"),
                   Column("mean_estimate", "@sim_mean_estimate", "num"),
                   Column("bias", "@sim_bias", "num"),
                   Column("empirical_se", "@sim_empirical_se", "num"),
                   Column("mean_se", "@sim_mean_se", "num"),
                   Column("power", tr("sim_power", lang).format(alpha=self.alpha), "pct"),
                   Column("coverage", "@sim_coverage", "pct")],
                  name=f"power_{m['name']}"[:31])
        for c in m["coefficients"]:
            t.add(c["term"], c["true"], c["mean_estimate"], c["bias"], c["empirical_se"], c["mean_se"],
                  c["power"], c["coverage"])
        t.notes.append("@sim_power_note")
        return t


# ================================================================ the run
def power_analysis(spec_path, fit_path, *, replicates: int = 200, seed=None, jobs: int | None = None,
                   alpha: float = 0.05, show_progress: bool = True) -> PowerResult:
    """Simulate ``replicates`` data sets and refit the model spec ``fit_path`` on each.

    Replicate ``r`` uses the ``r``-th child of ``SeedSequence(seed)`` (``spawn``), so results
    do not depend on the number of jobs. Replicates run in parallel in a process pool
    (``jobs`` workers, default: the available cores). Unit-level variables are joined
    to the responses by township id before fitting.
    """
    if replicates < 1:
        raise AvoidSurveyError("--replicate must be at least 1")
    if replicates > 100_000:
        raise AvoidSurveyError("--replicate is limited to 100,000")
    study = load_study(spec_path)
    fp = Path(fit_path)
    if not fp.exists():
        raise AvoidSurveyError("model spec not found", file=fp)
    _run_spec_fn()
    outcomes, aliases = _model_outcomes(fp)
    truth = _true_values(study)
    if seed is None:
        seed = study.spec.seed if study.spec.seed is not None else 1
    children = _seedseq(seed).spawn(replicates)
    jobs = _n_jobs(jobs, replicates)
    _check_model_spec(fp)
    fit_map = _fit_mapping(fp)
    args = [(str(spec_path), str(fp), fit_map, c.entropy, c.spawn_key, i) for i, c in enumerate(children)]
    # the first replicate runs here: a broken model spec stops the run with its own error
    first = _fit_one(args[0])
    if first[1] is None:
        raise AvoidSurveyError(f"the model spec fails on simulated data: {first[2]}", file=fp)
    results, errors = _run_replicates(args[1:], first[1], replicates, jobs, show_progress)

    warnings_ = list(study.warnings)
    ok = [r for r in results if r is not None]
    fails = [e for e in errors if e]
    if fails:
        msg = f"{len(fails)} of {replicates} replicates failed to fit (first: {fails[0]})"
        warnings_.append(WarningRecord("sim-replicates-failed", msg))
        _warnings.warn(msg, AvoidSurveyWarning, stacklevel=2)
    models = [_model_summary(name, ok, outcomes, truth, aliases, alpha) for name in ok[0]]
    n_all = [r[name][1] for name in ok[0] for r in ok if name in r]
    return PowerResult(str(spec_path), str(fp), replicates, len(ok), int(seed), alpha,
                       _mean(n_all) if n_all else float("nan"), models, warnings_)


def _n_jobs(jobs, replicates: int) -> int:
    if jobs is None or jobs <= 0:
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover
            jobs = os.cpu_count() or 1
    return max(1, min(jobs, replicates))


def _check_model_spec(fp: Path) -> None:
    """Schema errors of the model spec, with their YAML lines, before any replicate."""
    try:
        from avoid_survey.analysis.stats.models.spec import load_spec
    except ImportError:  # pragma: no cover
        return
    load_spec(str(fp))


# the folder of the replicates' temporary files: made by the parent run, inherited by the
# worker processes (fork), removed by the parent whatever happens (a worker killed by an
# interrupt cannot clean up after itself)
_TMP_ROOT: str | None = None


def _ignore_sigint() -> None:
    """Worker processes leave Ctrl-C to the parent, which stops them; SIGTERM (from the
    parent) ends a worker at once. A forked worker inherits the command's handlers, which
    raise an exception that the pool's worker loop would catch and outlive."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_replicates(args: list, first, replicates: int, jobs: int, show_progress: bool) -> tuple[list, list]:
    """Fit replicates 1..R-1 (in a process pool when ``jobs`` > 1); (results, errors) by index.

    An interrupt (Ctrl-C, SIGTERM) stops the run within a second: the pending replicates are
    cancelled, the worker processes terminated and the temporary folder removed."""
    global _TMP_ROOT
    import shutil

    _TMP_ROOT = tempfile.mkdtemp(prefix="avoid-sim-")
    try:
        return _replicates_in(args, first, replicates, jobs, show_progress)
    finally:
        shutil.rmtree(_TMP_ROOT, ignore_errors=True)
        _TMP_ROOT = None


def _replicates_in(args: list, first, replicates: int, jobs: int, show_progress: bool) -> tuple[list, list]:
    results: list = [None] * replicates
    errors: list = [None] * replicates
    results[0] = first
    bar = show_progress and stderr_tty()
    if jobs == 1 or not args:
        with Progress(bar, "replicates", replicates) as prog:
            prog.advance(1)
            for a in args:
                i, r, e = _fit_one(a)
                results[i], errors[i] = r, e
                prog.advance(1)
        return results, errors
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    import signal

    stop = {signal.SIGINT, signal.SIGTERM}
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_ignore_sigint)
    try:
        # workers start on the first submit, before the progress bar starts its thread; an
        # interrupt inside the executor's bookkeeping would leave it unable to shut down, so
        # signals wait until the submits are done
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        try:
            futs = [ex.submit(_fit_one, a) for a in args]
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
        with Progress(bar, "replicates", replicates) as prog:
            prog.advance(1)
            for f in as_completed(futs):
                i, r, e = f.result()
                results[i], errors[i] = r, e
                prog.advance(1)
    except BaseException:
        # do not wait for the replicates still running: stop them now (a second Ctrl-C
        # waits until they are stopped)
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            try:
                proc.terminate()
            except Exception:  # pragma: no cover - already gone
                pass
        for proc in procs:
            proc.join(timeout=2)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
        raise
    ex.shutdown(wait=True)
    return results, errors


def _mean(x) -> float:
    import numpy as np
    return float(np.mean(x))


def _model_summary(name: str, ok: list, outcomes: dict, truth: dict, aliases: dict, alpha: float) -> dict:
    """One model over the replicates that fitted: a row per term."""
    fam = ok[0][name][0]
    outcome = outcomes.get(name, outcomes.get(_base_model_name(name), (fam, None)))[1]
    tv = truth.get(outcome, {}) if outcome else {}
    fitted = [r[name] for r in ok if name in r]
    terms = list(dict.fromkeys(c[0] for f in fitted for c in f[2]))
    rows = []
    for term in terms:
        key = normalize_term(term, aliases)
        rows.append(_term_row(term, [c for f in fitted for c in f[2] if c[0] == term],
                              tv.get(key) if key is not None else None, alpha))
    ns = [f[1] for f in fitted]
    return {"name": name, "family": fam, "outcome": outcome, "n_mean": _mean(ns),
            "replicates_ok": len(ns), "coefficients": rows}


def _term_row(term: str, fits: list, true, alpha: float) -> dict:
    """Mean estimate, bias, empirical and mean SE, power and coverage of one term."""
    import numpy as np

    est, se, p, lo, hi = (np.asarray([c[j] for c in fits], float) for j in range(1, 6))
    fin = np.isfinite(est)
    return {
        "term": term, "true": true,
        "mean_estimate": float(np.mean(est[fin])) if fin.any() else None,
        "bias": float(np.mean(est[fin]) - true) if (true is not None and fin.any()) else None,
        "empirical_se": float(np.std(est[fin], ddof=1)) if fin.sum() > 1 else None,
        "mean_se": float(np.nanmean(se)) if np.isfinite(se).any() else None,
        "power": float(np.mean(p[np.isfinite(p)] < alpha)) if np.isfinite(p).any() else None,
        "coverage": float(np.mean((lo <= true) & (true <= hi))) if true is not None else None,
        "n": int(fin.sum()),
    }
