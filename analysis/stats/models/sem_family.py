"""``family: sem`` in a model spec: a latent-variable SEM (lavaan syntax) beside the regressions.

The model is fitted by :func:`avoid_survey.analysis.stats.sem.sem` (the function the ``sem``
command calls), on the spec's prepared frame (filters and transforms applied), so a spec entry
gives the numbers ``avoid-survey sem DATA --instrument ID --model ...`` gives on the same rows.

- ``syntax:`` lavaan text, inline (``syntax: |`` block) or a file relative to the spec.
- Scale ids of the instrument that the syntax uses without a ``=~`` line are latent variables
  measured by their items (a scale with facets by its facets, each by its items), as ``sem
  --instrument`` does; ``observed: [ids]`` (or ``true`` for every scale) keeps scale scores.
- ``interactions:`` latent interactions: ``product_indicators`` (double-mean-centred products of
  matched indicator pairs, Lin et al. 2010; a scale with facets enters measured by its facet
  scores as parcels) or ``observed`` (product of mean-centred scale scores, the fallback).
- Errors in the syntax name the spec file and the spec line (inline) or the syntax file and line.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...core.errors import AvoidSurveyError
from .result import Coef, ModelFit, model_warning
from .spec import LoadedSpec, ModelSpec

__all__ = ["SemSource", "read_sem_syntax", "fit_sem_model", "sem_variables"]

_SYNTAX_FILE_EXT = (".lav", ".txt", ".model", ".sem", ".lavaan")


@dataclass(frozen=True)
class SemSource:
    """The syntax of a ``family: sem`` entry and where its lines are."""

    text: str
    file: str | None      # the syntax file, or None when inline
    spec_file: str | None
    key_line: int | None  # the spec line of 'syntax:'
    block: bool           # inline as a block scalar: syntax line k is spec line key_line + k

    def locate(self, exc: AvoidSurveyError) -> AvoidSurveyError:
        """``exc`` (raised on the syntax) located in the spec or the syntax file."""
        if self.file is not None:
            return exc.located(file=self.file)
        if exc.file is None:
            line = self.key_line
            if exc.line is not None and self.key_line is not None and self.block:
                line = self.key_line + exc.line
            exc.file, exc.line = self.spec_file, line
        return exc


def _is_block(loaded: LoadedSpec, line: int | None) -> bool:
    if line is None or not loaded.file or not Path(str(loaded.file)).is_file():
        return False
    try:
        text = Path(loaded.file).read_text(encoding="utf-8-sig").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return False
    after = text.split("syntax:", 1)[-1].strip()
    return after[:1] in ("|", ">")


def read_sem_syntax(loaded: LoadedSpec, i: int, ms: ModelSpec) -> SemSource:
    """The syntax text of model ``i``: inline, or read from a file relative to the spec."""
    text = ms.syntax
    line = loaded.model_line(i, "syntax")
    looks_inline = "\n" in text or any(op in text for op in ("=~", "~", ":=", "=="))
    if not looks_inline or text.lower().endswith(_SYNTAX_FILE_EXT):
        p = loaded.resolve(text)
        if not p.is_file():
            raise AvoidSurveyError(f"spec: syntax file not found: {p} (give lavaan text or a file relative to "
                                   f"the spec)", file=loaded.file, line=line)
        try:
            body = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise AvoidSurveyError(f"cannot read the syntax file: {exc}", file=p) from None
        return SemSource(body, str(p), loaded.file, line, False)
    return SemSource(text, None, loaded.file, line, _is_block(loaded, line))


def check_sem_syntax(src: SemSource):
    """Parse the syntax (grammar errors before any data is read)."""
    from ..sem.syntax import parse_sem
    try:
        return parse_sem(src.text)
    except AvoidSurveyError as exc:
        raise src.locate(exc) from None


# ------------------------------------------------------------------ the model text
def _scale_ids(inst) -> dict:
    return {s.id: s for s in inst.all_scales()} if inst is not None else {}


def _observed_set(ms: ModelSpec, inst) -> set:
    ids = _scale_ids(inst)
    if ms.observed is True:
        out = set(ids)
    else:
        out = set(ms.observed or [])
    for it in ms.interactions:
        if it.method == "observed":
            out |= set(it.of)
    return out


def _measured(text) -> dict:
    from ..sem.syntax import parse_sem
    return {s.lhs: [t.name for t in s.terms] for s in parse_sem(text).statements if s.op == "=~"}


def _interaction_lines(loaded, i, ms, src, frame, inst, observed):
    """Columns and syntax lines of the model's latent interactions: (frame, lines, observed)."""
    import pandas as pd

    if not ms.interactions:
        return frame, [], observed
    frame = frame.copy()
    ids = _scale_ids(inst)
    own = _measured(src.text)
    lines, observed = [], set(observed)
    for k, it in enumerate(ms.interactions):
        where = ("models", i, "interactions", k)
        for v in it.of:
            if v not in own and v not in ids and v not in frame.columns:
                raise loaded.error(f"spec: interaction '{it.name}' of '{v}': not a latent of the syntax, a scale of "
                                   f"the instrument or a data column", *where, "of", column=v)
        if it.name in frame.columns:
            raise loaded.error(f"spec: interaction name '{it.name}' is already a column of the data", *where, "name")
        if it.method == "observed":
            cols = []
            for v in it.of:
                if v not in frame.columns:
                    raise loaded.error(f"spec: observed interaction needs the score '{v}' (a scale or data column)",
                                       *where, "of", column=v)
                x = pd.to_numeric(frame[v], errors="coerce").astype(float)
                cols.append(x)
            both = cols[0].notna() & cols[1].notna()
            frame[it.name] = (cols[0] - cols[0][both].mean()) * (cols[1] - cols[1][both].mean())
            continue
        inds = []
        for v in it.of:
            if v in own:
                inds.append(list(own[v]))
            elif ids.get(v) is not None and ids[v].facets:
                facets = [f.id for f in ids[v].facets]     # parcels: the facet scores
                lines.append(f"{v} =~ " + " + ".join(facets))
                own[v] = facets
                observed |= set(facets)
                inds.append(facets)
            elif ids.get(v) is not None:
                inds.append(list(ids[v].item_ids))
            else:
                raise loaded.error(f"spec: product indicators of '{v}' need a latent ('=~' line or scale)", *where,
                                   "of", column=v)
        for col in inds[0] + inds[1]:
            if col not in frame.columns:
                raise loaded.error(f"spec: indicator '{col}' of interaction '{it.name}' is not a column of the data",
                                   *where, column=col)
        if it.match == "pairs":
            m = min(len(inds[0]), len(inds[1]))
            pairs = list(zip(inds[0][:m], inds[1][:m]))
        else:
            pairs = [(a, b) for a in inds[0] for b in inds[1]]
        names = []
        for a, b in pairs:
            xa = pd.to_numeric(frame[a], errors="coerce").astype(float)
            xb = pd.to_numeric(frame[b], errors="coerce").astype(float)
            prod = (xa - xa.mean()) * (xb - xb.mean())
            nm = f"{a}_x_{b}"
            frame[nm] = prod - prod.mean()
            names.append(nm)
        lines.append(f"{it.name} =~ " + " + ".join(names))
        if it.match == "all":   # products sharing an indicator have correlated residuals
            for j, (a1, b1) in enumerate(pairs):
                for (a2, b2), n2 in zip(pairs[j + 1:], names[j + 1:]):
                    if a1 == a2 or b1 == b2:
                        lines.append(f"{names[j]} ~~ {n2}")
    return frame, lines, observed


def model_text(loaded, i, ms, src, frame, inst):
    """(analysis frame, full model text): interactions added, scale ids expanded to their items."""
    from ..sem.api import expand_scales

    observed = _observed_set(ms, inst)
    frame, extra, observed = _interaction_lines(loaded, i, ms, src, frame, inst, observed)
    text = src.text.rstrip("\n")
    if extra:
        text += "\n# latent interactions (product indicators)\n" + "\n".join(extra)
    ids = _scale_ids(inst)
    drop = [c for c in frame.columns if c in ids and c not in observed]   # scale ids become latents
    frame = frame.drop(columns=drop)
    if inst is not None:
        try:
            text = expand_scales(text, inst, frame.columns)
        except AvoidSurveyError as exc:
            raise src.locate(exc) from None
    if ms.panel is not None and (ms.panel.equal_loadings or ms.panel.item_residuals):
        text = panel_lines(loaded, i, ms, text, inst)
    return frame, text


def _wave_of(name, waves):
    for w in waves:
        if name.endswith("_" + w):
            return name[: -len(w) - 1], w
    return None, None


def panel_lines(loaded, i, ms, text, inst) -> str:
    """``text`` with the loadings of each repeated latent labelled equal across waves and the
    residual covariances of each indicator with itself at the other waves."""
    import re

    from ..sem.syntax import parse_sem

    waves = list(getattr(inst, "waves", ()) or ())
    if len(waves) < 2:
        raise loaded.error("spec: 'panel' needs an instrument that declares waves (waves: {ids: [w1, w2]})",
                           "models", i, "panel")
    syn = parse_sem(text)
    latents = {s.lhs for s in syn.statements if s.op == "=~"}
    out_lines = text.splitlines()
    if ms.panel.equal_loadings:
        groups = {}
        for s in syn.statements:
            if s.op == "=~":
                base, w = _wave_of(s.lhs, waves)
                if base is not None and all(t.fixed is None and t.label is None and not t.free for t in s.terms):
                    groups.setdefault(base, {})[w] = [t.name for t in s.terms]
        rename = {}
        for base, per in groups.items():
            stems = {w: [(_wave_of(n, waves)[0] or n) for n in names] for w, names in per.items()}
            if len(per) < 2 or len({tuple(v) for v in stems.values()}) != 1:
                continue
            for w, names in per.items():
                rename[f"{base}_{w}"] = " + ".join([names[0]] + [f"lam_{base}_{j}*{n}" for j, n in
                                                                  enumerate(names[1:], start=2)])
        pat = re.compile(r"^(\s*)([A-Za-z_][\w.]*)\s*=~\s*(.+?)\s*$")
        for k, line in enumerate(out_lines):
            m = pat.match(line)
            if m and m.group(2) in rename and "*" not in m.group(3):
                out_lines[k] = f"{m.group(1)}{m.group(2)} =~ {rename[m.group(2)]}"
    extra = []
    if ms.panel.item_residuals:
        inds = list(dict.fromkeys(t.name for s in syn.statements if s.op == "=~" for t in s.terms
                                  if t.name not in latents))
        have = set(inds)
        for n in inds:
            base, w = _wave_of(n, waves)
            if base is None:
                continue
            for w2 in waves[waves.index(w) + 1:]:
                if f"{base}_{w2}" in have:
                    extra.append(f"{n} ~~ {base}_{w2}")
    text = "\n".join(out_lines)
    if extra:
        text += "\n# the same item at other waves\n" + "\n".join(extra)
    return text


def sem_variables(text) -> list[str]:
    """The observed variables a model text uses (every name that is not a latent)."""
    from ..sem.syntax import parse_sem
    syn = parse_sem(text)
    latents = {s.lhs for s in syn.statements if s.op == "=~"}
    out = []
    for s in syn.statements:
        for nm in [s.lhs] + [t.name for t in s.terms]:
            if nm not in latents and nm != "1" and nm not in out:
                out.append(nm)
    return out


# ------------------------------------------------------------------ fitting
def _options(ms: ModelSpec) -> dict:
    bs = ms.bootstrap
    mi = ms.mi
    threshold = isinstance(mi, (int, float)) and not isinstance(mi, bool)
    return dict(estimator=(ms.estimator or "ml").upper(), missing=ms.missing or "listwise", group=ms.group,
                group_equal=ms.group_equal_list, group_partial=ms.group_partial, std_lv=bool(ms.std_lv),
                bootstrap=bs.n if bs else 0, seed=bs.seed if bs else None, mi=mi is True or threshold,
                mi_min=float(mi) if threshold else 0.0, **_ordinal(ms))


def _ordinal(ms: ModelSpec) -> dict:
    """The WLSMV options (``estimator: wlsmv``, ``ordered``, ``parameterization``), as
    ``sem --estimator wlsmv --ordered ... --parameterization ...`` takes them."""
    out = {}
    if ms.ordered is not None:
        out["ordered"] = ms.ordered if isinstance(ms.ordered, str) else ",".join(ms.ordered)
    if ms.parameterization is not None:
        out["parameterization"] = ms.parameterization
    return out


def _coefs(params, standardized: bool) -> list:
    """The structural regressions as coefficients ('y ~ x'), per group when grouped."""
    out = []
    for p in params:
        if p["op"] != "~":
            continue
        term = f"{p['lhs']} ~ {p['rhs']}" + (f" [{p['group']}]" if p.get("group") is not None else "")
        out.append(Coef(term, p["estimate"], p["se"], p["z"], p["p"], p["ci_lower"], p["ci_upper"], p["std_all"]))
    return out


def _effects(params) -> list:
    """Defined parameters (':='), with the bootstrap percentile CI when resampled."""
    out = []
    for p in params:
        if p["op"] != ":=":
            continue
        boot = p.get("boot_ci_lower") is not None
        out.append({"effect": "defined", "via": p["lhs"], "definition": p["rhs"], "estimate": p["estimate"],
                    "se": p["se"], "p": p["p"],
                    "ci_lower": p["boot_ci_lower"] if boot else p["ci_lower"],
                    "ci_upper": p["boot_ci_upper"] if boot else p["ci_upper"],
                    "ci_method": "bootstrap percentile" if boot else "delta",
                    "std_all": p["std_all"],
                    "std_ci_lower": p.get("boot_std_ci_lower"), "std_ci_upper": p.get("boot_std_ci_upper")})
    return out


def fit_sem_model(loaded: LoadedSpec, i: int, ms: ModelSpec, src: SemSource, frame, inst, name: str) -> ModelFit:
    """Fit a ``family: sem`` entry on its prepared frame; the SEMResult rides along in ``internal``."""
    from ..sem.api import sem

    frame, text = model_text(loaded, i, ms, src, frame, inst)
    cols = set(frame.columns)
    for v in sem_variables(text):
        if v not in cols:
            hint = f"; scales of {inst.id} are latents measured by their items" if inst is not None else ""
            raise AvoidSurveyError(f"unknown variable '{v}' in model '{ms.name}': not a data column, scale or "
                                   f"latent of the syntax{hint}", file=loaded.file,
                                   line=loaded.model_line(i, "syntax"), column=v)
    if ms.group is not None and ms.group not in cols:
        raise AvoidSurveyError(f"group column '{ms.group}' of model '{ms.name}' is not a column of the data",
                               file=loaded.file, line=loaded.model_line(i, "group"), column=ms.group)
    ref = ms.data or loaded.spec.data   # data problems name the data file, syntax problems the spec or syntax file
    data_file = str(loaded.resolve(ref)) if ref else None
    try:
        res = sem(frame, model=text, file=data_file, model_file=src.file, **_options(ms))
    except AvoidSurveyError as exc:
        if exc.file is None or exc.file == src.file:
            raise src.locate(exc) from None
        raise
    std = ms.standardized is not False
    extra = {k: v for k, v in res.to_dict().items() if k not in ("n", "fit", "warnings", "model")}
    endo = list(dict.fromkeys(p["lhs"] for p in res.parameters if p["op"] == "~"))
    extra = {"syntax": res.model_syntax, **extra, "endogenous": endo, "standardized": std}
    ng = {ms.group: len(res.groups)} if ms.group else None
    warnings = [model_warning(getattr(w, "code", "sem-note"), str(w), location=name) for w in res.warnings]
    return ModelFit(name=name, family="sem", n=res.n, n_groups=ng, coefficients=_coefs(res.parameters, std),
                    fit=dict(res.fit), se_type=_se_type(res), warnings=tuple(warnings),
                    effects=_effects(res.parameters), extra=extra, internal={"sem": res})


def _se_type(res) -> str:
    if res.estimator == "MLR":
        return "robust (MLR)"
    if res.estimator == "WLSMV":
        return "robust (WLSMV)"
    return "FIML" if res.missing == "ml" else "ML"
