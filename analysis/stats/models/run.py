"""Running a model spec: formula checks, data preparation, fitting every declared model.

Order of work (so a bad spec fails before anything runs):

1. the spec is validated (pydantic; file, line, key in every error);
2. every formula, steps block and covariate list is parsed by our own grammar;
3. data are read, scored (scale ids of the instrument become variables), the unit file is
   joined, filters and transforms are applied (:mod:`.prep`);
4. every variable each model uses is checked against the prepared columns;
5. only then are the models fitted (:mod:`.fitting`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...core.errors import AvoidSurveyError
from .fitting import fit_formula, fit_mediation_model, fit_process_model, fit_steps
from .formula import Formula, parse_formula, parse_terms
from .prep import Prep
from .result import ModelsResult
from .spec import LoadedSpec, ModelSpec, load_spec

__all__ = ["ModelsResult", "run_spec"]


# ------------------------------------------------------------------ formulas
@dataclass(frozen=True)
class _Parsed:
    formula: Formula | None
    steps: list
    covariates: Formula | None
    sem: object = None   # family sem: the SemSource of its syntax


def _parse_mediation(loaded: LoadedSpec, i: int, ms: ModelSpec) -> Formula | None:
    """Check the variable names of a mediation model; its covariates as a formula."""
    cov = None
    if ms.covariates:
        cov = parse_terms(" + ".join(ms.covariates), file=loaded.file, line=loaded.model_line(i, "covariates"))
        if any(len(t) > 1 for t in cov.terms):
            raise loaded.error("spec: covariates are single variables (no interactions)", "models", i,
                               "covariates")
    for key in ("x", "y", "moderator", "cluster", "w", "z"):
        v = getattr(ms, key)
        if v is not None:
            parse_terms(v, file=loaded.file, line=loaded.model_line(i, key))
    for j, v in enumerate(ms.mediators or []):
        parse_terms(v, file=loaded.file, line=loaded.line("models", i, "mediators", j))
    for j, v in enumerate(ms.m_list):
        parse_terms(v, file=loaded.file, line=loaded.line("models", i, "m", *([j] if isinstance(ms.m, list) else [])))
    return cov


def _parse_model(loaded: LoadedSpec, i: int, ms: ModelSpec) -> _Parsed:
    if ms.family == "sem":
        from .sem_family import check_sem_syntax, read_sem_syntax
        src = read_sem_syntax(loaded, i, ms)
        check_sem_syntax(src)
        return _Parsed(None, [], None, src)
    texts = ms.step_texts
    f = parse_formula(ms.formula, file=loaded.file, line=loaded.model_line(i, "formula")) if ms.formula else None
    if f is None and ms.family == "ols" and texts:   # y + steps: the first block is the formula
        f = parse_formula(f"{ms.y} ~ {texts[0]}", file=loaded.file, line=loaded.line("models", i, "steps", 0))
        texts = [None] + texts[1:]
    steps = [parse_terms(st, file=loaded.file, line=loaded.line("models", i, "steps", j))
             for j, st in enumerate(texts) if st is not None]
    cov = _parse_mediation(loaded, i, ms) if ms.family in ("mediation", "process") else None
    if ms.moderation and f is not None:
        names = f.term_names() + [n for st in steps for n in st.term_names()]
        mv = ms.moderation
        if not any(set(t.split(":")) == {mv.focal, mv.moderator} for t in names):
            raise loaded.error(f"spec: moderation needs the interaction {mv.focal}:{mv.moderator} "
                               f"(write {mv.focal} * {mv.moderator}) in the formula", "models", i, "moderation")
    return _Parsed(f, steps, cov)


def _model_vars(ms: ModelSpec, parsed: _Parsed) -> list[tuple[str, tuple]]:
    """(variable, spec key path) for every variable model ``ms`` uses."""
    out = []
    shift = 1 if ms.formula is None and ms.steps else 0   # y + steps: block 1 became the formula
    if parsed.formula is not None:
        out += [(v, ("steps", 0) if shift else ("formula",)) for v in parsed.formula.variables]
    for j, st in enumerate(parsed.steps):
        out += [(v, ("steps", j + shift)) for v in st.variables]
    if ms.family == "sem":    # the syntax's variables are checked after scale expansion (sem_family)
        return [(ms.group, ("group",))] if ms.group else []
    out += [(c, ("se", "cluster")) for c in ms.se_spec.clusters]
    out += [(g, ("groups",)) for g in ms.group_list]
    if ms.family == "experiment":
        for key in ("outcome", "moderator", "cluster", "manipulation"):
            if getattr(ms, key):
                out.append((getattr(ms, key), (key,)))
        out += [(c, ("covariates", j)) for j, c in enumerate(ms.covariates)]
    if ms.family == "mediation":
        for key in ("x", "y", "moderator", "cluster"):
            if getattr(ms, key):
                out.append((getattr(ms, key), (key,)))
        out += [(m, ("mediators", j)) for j, m in enumerate(ms.mediators)]
    if ms.family == "process":
        out += [(getattr(ms, k), (k,)) for k in ("x", "y", "w", "z") if getattr(ms, k)]
        out += [(m, ("m",)) for m in ms.m_list]
    if ms.family in ("mediation", "process") and parsed.covariates is not None:
        out += [(v, ("covariates",)) for v in parsed.covariates.variables]
    return out


def _unknown_vars(ms: ModelSpec, parsed: _Parsed, frame) -> list[tuple[str, tuple]]:
    """(variable, key path) for each variable model ``ms`` uses that its frame lacks."""
    out = [(v, key) for v, key in _model_vars(ms, parsed) if v not in frame.columns]
    if ms.moderation:
        out += [(v, ("moderation",)) for v in (ms.moderation.focal, ms.moderation.moderator)
                if v not in frame.columns]
    seen, uniq = set(), []
    for v, key in out:
        if v not in seen:
            seen.add(v)
            uniq.append((v, key))
    return uniq


def _describe_unknown(v, frame, inst) -> str:
    """Why ``v`` is unknown: a scale whose items were not found, or the closest name."""
    from difflib import get_close_matches

    if inst is not None:
        scale = next((s for s in inst.all_scales() if s.id == v), None)
        if scale is not None:
            ids = scale.item_ids
            found = [i for i in ids if i in frame.columns]
            return (f"scale '{v}': none of its {len(ids)} items ({', '.join(ids[:6])}{' ...' if len(ids) > 6 else ''}) "
                    f"were found in the data" if not found else
                    f"scale '{v}': only {len(found)} of its {len(ids)} items were found (too few for a score)")
    names = [str(c) for c in frame.columns]
    if inst is not None:
        names += [s.id for s in inst.all_scales()]
    close = get_close_matches(v, list(dict.fromkeys(names)), n=1, cutoff=0.6)
    return f"unknown variable '{v}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def _check_vars(loaded: LoadedSpec, i: int, ms: ModelSpec, parsed: _Parsed, frame, inst) -> None:
    """Every variable model ``ms`` uses is a column of its prepared frame."""
    _raise_unknown(loaded, [(i, ms, v, key, frame, inst) for v, key in _unknown_vars(ms, parsed, frame)])


def _raise_unknown(loaded: LoadedSpec, unknown, missing_units=None) -> None:
    """One error listing every unknown variable of the spec, each with its closest match
    (or the scale whose items were not found); located at the first. When a unit file was
    not found, the error says so first (the variables may come from it)."""
    if not unknown:
        return
    if missing_units:
        path, line = next(iter(missing_units.items()))
        names = ", ".join(dict.fromkeys(v for _, _, v, _, _, _ in unknown))
        raise AvoidSurveyError(f"spec: unit file not found: {path} (the models use {names}, which are not in "
                               f"the responses)", file=loaded.file, line=line)
    i, ms, v, key, frame, inst = unknown[0]
    parts = []
    for j, m, var, k, fr, ins in unknown:
        line = loaded.line("models", j, *k)
        parts.append(f"{_describe_unknown(var, fr, ins)} in model '{m.name}'" + (f" (line {line})" if line else ""))
    head = parts[0] if len(parts) == 1 else f"{len(parts)} unknown variables: " + "; ".join(parts)
    tail = "" if all("scale '" in p for p in parts) else "; a variable is a data column, scale score or transform"
    raise AvoidSurveyError(head + tail, file=loaded.file, line=loaded.line("models", i, *key), column=v)


# ------------------------------------------------------------------ the run
def run_spec(spec_path_or_mapping, *, data=None, base_dir=None) -> ModelsResult:
    """Fit every model a spec declares.

    Parameters
    ----------
    spec_path_or_mapping : path to a YAML spec, YAML text, a mapping, or a LoadedSpec
    data : optional pandas DataFrame used instead of the spec's ``data:`` file (models
        with their own ``data:`` still read it). Used by ``simulate`` for power analysis.
    base_dir : folder that relative paths in the spec are resolved against (default: the
        spec file's folder, or the working directory for a mapping).

    Returns
    -------
    ModelsResult
    """
    import warnings as _pywarn

    from ...core.errors import AvoidSurveyWarning

    loaded = load_spec(spec_path_or_mapping, base_dir=base_dir)
    sp = loaded.spec
    parsed = [_parse_model(loaded, i, ms) for i, ms in enumerate(sp.models)]  # grammar errors before any data
    prep = Prep(loaded, frame=data)
    frames, unknown = [], []
    for i, ms in enumerate(sp.models):               # prepare data and check every variable
        frame, inst, notes = prep.get(ms, i)
        unknown += [(i, ms, v, key, frame, inst) for v, key in _unknown_vars(ms, parsed[i], frame)]
        frames.append((frame, inst, notes))
    _raise_unknown(loaded, unknown, prep.missing_units)
    if prep.missing_units:
        from ...core.errors import DataNote, warn
        warn(f"unit file {', '.join(prep.missing_units)} not found; the models use no unit-level variable, so it "
             f"is not needed", DataNote)
    with _pywarn.catch_warnings():
        # package warnings are kept on each ModelFit and shown once by the CLI
        _pywarn.simplefilter("ignore", AvoidSurveyWarning)
        models = _fit_all(loaded, parsed, prep, frames)
    warnings = list(prep.warnings)
    seen = {str(w) for w in warnings}
    for w in (w for m in models for w in m.warnings):
        if str(w) not in seen:
            seen.add(str(w))
            warnings.append(w)
    labels, value_labels = _labels(frames, sp.transforms)
    spec_info = {"file": loaded.file, "title": sp.title, "data": sp.data if data is None else "<data frame>",
                 "instrument": sp.instrument, "n_models": len(sp.models),
                 "models": [m.name for m in sp.models]}
    return ModelsResult(spec_info, models, tuple(warnings), labels, value_labels)


def _fit_declared(loaded, i, ms, parsed, frame, name, inst=None) -> list:
    """The fits one spec entry gives: one model, or one per hierarchical step."""
    if ms.family == "mediation":
        return [fit_mediation_model(loaded, i, ms, parsed, frame, name)]
    if ms.family == "process":
        return [fit_process_model(loaded, i, ms, parsed, frame, name)]
    if ms.family == "sem":
        from .sem_family import fit_sem_model
        return [fit_sem_model(loaded, i, ms, parsed.sem, frame, inst, name)]
    if ms.family == "experiment":
        from .experiment import fit_experiment_model

        return [fit_experiment_model(loaded, i, ms, frame, name, inst)]
    if parsed.steps or ms.steps:
        return fit_steps(loaded, i, ms, parsed, frame, name)
    return [fit_formula(loaded, i, ms, parsed.formula, frame, name)]


def _robustness(loaded, i, ms, parsed, prep, n_base) -> list:
    """The model re-fitted under each robustness variant's data rules (last step only)."""
    out = []
    for var in ms.robustness:
        vframe, vinst, vnotes = prep.get(ms, i, variant=var)
        nm = f"{ms.name} [{var.label}]"
        m = replace(_fit_declared(loaded, i, ms, parsed, vframe, nm, vinst)[-1], name=nm)
        out.append(m.with_extra(robustness={"of": ms.name, "label": var.label, "data_notes": list(vnotes),
                                            "n_base": n_base}))
    return out


def _fit_all(loaded, parsed, prep, frames):
    models = []
    for i, ms in enumerate(loaded.spec.models):
        frame, inst, notes = frames[i]
        fits = _fit_declared(loaded, i, ms, parsed[i], frame, ms.name, inst)
        for j, m in enumerate(fits):
            if ms.label and "step" not in m.extra and "label" not in m.extra:
                m = m.with_extra(label=ms.label)
            if notes and "data_notes" not in m.extra:
                m = m.with_extra(data_notes=list(notes))
            fits[j] = m
        models.extend(fits)
        models.extend(_robustness(loaded, i, ms, parsed[i], prep, fits[-1].n))
    return models


def _labels(frames, transforms=()):
    labels, values = {}, {}
    for t in transforms:   # a computed column named by its transform's label
        if t.label:
            labels.setdefault(t.target, dict(t.label))
    insts = [inst for _, inst, _ in frames if inst is not None]
    if insts:
        try:  # unit-level variables (joined from a unit file) take the unit questionnaire's labels,
            # of the instruments' major version first (2.x: unit-questionnaire-v2)
            from avoid_survey.instruments import load_instrument
            v2 = any(str(getattr(i, "version", "")).startswith("2") for i in insts)
            for uq in (("unit-questionnaire-v2", "unit-questionnaire") if v2 else ("unit-questionnaire",)):
                insts.append(load_instrument(uq))
        except (AvoidSurveyError, ImportError):
            pass
    for inst in insts:
        for s in inst.all_scales():
            labels.setdefault(s.id, dict(s.label))
        for v in inst.variables:
            labels.setdefault(v.id, dict(v.label))
            if v.response.labels:
                values.setdefault(v.id, {str(k): dict(t) for k, t in v.response.labels.items()})
        exp = getattr(inst, "experiment", None)
        for f in (exp.factors if exp is not None else ()):  # family experiment: terms factor[level]
            labels.setdefault(f.id, dict(f.label))
            values.setdefault(f.id, {lv.id: dict(lv.label or (lv.text if exp.type == "conjoint" else {"en": lv.id}))
                                     for lv in f.levels})
    return labels, values
