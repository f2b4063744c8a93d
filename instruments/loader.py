"""Load, check and resolve instrument files.

``load_instrument(ref)`` takes a bundled id or a path; a broken file raises
:class:`AvoidSurveyError` naming the file, the YAML line and the problem.
``check_instrument_file(path)`` returns every finding instead of stopping at one.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.findings import Finding, finding

from .model import AttentionCheck, Instrument, Item, ResponseFormat, Scale, Variable

__all__ = ["load_instrument", "list_instruments", "bundled_ids", "bundled_path", "resolve_ref",
           "check_instrument_file", "DATA_DIR"]

DATA_DIR = Path(__file__).parent / "data"
MAX_INCLUDE_DEPTH = 5



def _close_matches(word, choices) -> list:
    """The closest of ``choices`` to ``word`` (``difflib``, imported only when a name is wrong)."""
    import difflib

    return difflib.get_close_matches(word, choices, n=1)


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def bundled_path(iid: str) -> Path | None:
    p = DATA_DIR / f"{iid}.yaml"
    return p if p.exists() else None


def _resolve_ref(ref, base_dir: Path | None = None) -> Path:
    ref_s = str(ref)
    p = Path(ref_s)
    if p.suffix.lower() in (".yaml", ".yml") or "/" in ref_s or "\\" in ref_s or p.exists():
        if base_dir is not None and not p.is_absolute():
            cand = base_dir / p
            if cand.exists():
                return cand
        if p.exists():
            return p
        raise AvoidSurveyError("instrument file not found", file=ref_s)
    bp = bundled_path(ref_s)
    if bp is None:
        valid = bundled_ids()
        close = _close_matches(ref_s, valid)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise AvoidSurveyError(f"unknown instrument '{ref_s}'{hint}; bundled instruments: {', '.join(valid)}; "
                               f"or give the path of a YAML file")
    return bp


def resolve_ref(ref) -> Path:
    """Path of a bundled id or of a user's instrument file; AvoidSurveyError if neither."""
    return _resolve_ref(ref)


# ---------------------------------------------------------------- schema errors
def _union_errors(data, errors) -> list[dict]:
    """pydantic reports every branch of ``response: name | {mapping}``; keep the branch the
    data actually took, and one plain error when it took neither."""
    out, seen_neither = [], set()
    for err in errors:
        loc = tuple(err["loc"])
        if "ResponseSpec" in loc or "str" in loc:
            k = loc.index("ResponseSpec") if "ResponseSpec" in loc else loc.index("str")
            value = _get(data, loc[:k])
            if isinstance(value, dict):
                if loc[k] == "str":
                    continue
            elif isinstance(value, str):
                if loc[k] == "ResponseSpec":
                    continue
            else:
                if loc[:k] in seen_neither:
                    continue
                seen_neither.add(loc[:k])
                err = {"loc": loc[:k], "type": "value_error",
                       "msg": f"Value error, must be the name of a response format or a mapping (type, min, max, "
                              f"labels), not {value!r}"}
            if tuple(err["loc"]) == loc:  # drop the branch name from the location
                err = dict(err, loc=loc[:k] + loc[k + 1:])
        out.append(err)
    return out


def _schema_findings(doc: Located, exc) -> list[tuple[int | None, Finding]]:
    from avoid_survey.analysis.core.yamlsafe import data_path

    out = []
    for err in _union_errors(doc.data, exc.errors()):
        loc = data_path(doc.data, err["loc"])
        line = doc.line_of(loc)
        key = ".".join(str(x) for x in loc) or "(top)"
        typ = err["type"]
        if typ == "extra_forbidden":
            hint = ""
            allowed = _allowed_keys(loc)
            if allowed:
                close = _close_matches(str(loc[-1]), allowed)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            f = finding("schema-unknown-key", row=line, column=key, key=loc[-1], hint=hint)
        elif typ == "missing":
            f = finding("schema-missing-key", row=line, column=key, key=loc[-1] if loc else "?")
        elif typ == "string_type" and isinstance(err.get("input"), (int, float)) and not isinstance(err.get("input"), bool):
            f = finding("schema-wrong-type", row=line, column=key, key=key,
                        detail=f"must be text, not the number {err['input']!r}; put it in quotes, "
                               f"e.g. {loc[-1] if loc else key}: \"{err['input']}\"")
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            f = finding("schema-wrong-type", row=line, column=key, key=key, detail=msg.lower()
                        if msg.startswith("Input should") else msg)
        out.append((line, f))
    # pydantic reports each union branch; keep one finding per (line, column)
    seen, uniq = set(), []
    for line, f in out:
        k = (line, f.column, f.code)
        if k not in seen:
            seen.add(k)
            uniq.append((line, f))
    return uniq


def _allowed_keys(loc) -> list[str]:
    from . import schema as S
    model = S.InstrumentSpec
    path = list(loc[:-1])
    fields_of = {"waves": S.WavesSpec, "scales": S.ScaleSpec, "facets": S.FacetSpec, "items": S.ItemSpec, "variables": S.VariableSpec,
                 "attention_checks": S.AttentionSpec, "response": S.ResponseSpec, "response_formats": None}
    if loc and loc[0] == "experiment":  # the experiment block has its own models
        from . import experiment as E
        fields_of.update({"experiment": E.ExperimentSpec, "factors": E.FactorSpec, "attributes": E.FactorSpec,
                          "levels": E.LevelSpec, "restrictions": E.RestrictionSpec})
    i = 0
    while i < len(path):
        k = path[i]
        if k in fields_of:
            nxt = fields_of[k]
            if k == "response_formats":
                model = S.ResponseSpec
                i += 2
                continue
            model = nxt
        i += 1
    return sorted(model.model_fields)


def _get(data, path):
    for k in path:
        try:
            data = data[k]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class _Ctx:
    """What the checking steps of one instrument file share: the findings so far, the ids
    claimed (id -> line), the response formats that are broken."""

    def __init__(self, doc: Located, spec: InstrumentSpec, file: str):
        self.doc, self.spec, self.file = doc, spec, file
        self.findings: list[Finding] = []
        self.broken_formats: set[str] = set()
        self.ids: dict[str, int] = {}
        self.referent_response = None  # the file's `referent_response` format, resolved
        self.langs = tuple(spec.languages) if spec.languages else tuple(k for k in ("zh", "en") if k in spec.title) or ("en",)

    def add(self, code, path, column=None, **fields):
        self.findings.append(finding(code, row=self.doc.line_of(path), column=column, **fields))

    def claim(self, iid, path, column):
        """Register an id of this file: well formed and not used before."""
        from .schema import ID_RE

        if not ID_RE.match(iid):
            self.add("bad-id", path, column=column, id=iid)
        line = self.doc.line_of(path)
        if iid in self.ids:
            self.add("duplicate-id", path, column=column, id=iid, first=self.ids[iid])
        else:
            self.ids[iid] = line

    def text(self, value, path, what):
        if value is None:
            return
        for lang in self.langs:
            if not str(value.get(lang, "")).strip():
                self.add("missing-language", path, column=".".join(map(str, path)), what=what, lang=lang)


# A response format that is reported broken already: whatever uses it stays quiet, so one
# mistake gives one finding instead of a cascade ("not defined", "item has no format"...).
BROKEN = ResponseFormat("broken")


def _response(ctx: _Ctx, ref, path, formats: dict) -> ResponseFormat | None:
    if ref is None:
        return None
    if isinstance(ref, str):
        if ref in ctx.broken_formats:
            return BROKEN
        if ref not in formats:
            close = _close_matches(ref, list(formats))
            hint = f" (did you mean '{close[0]}'?)" if close else (f" (defined: {', '.join(formats)})" if formats else "")
            ctx.add("unknown-response-format", path, name=ref, hint=hint)
            return BROKEN
        return formats[ref]
    return _make_format(ctx, ref, path, None) or BROKEN


def _make_format(ctx, r, path, name) -> ResponseFormat | None:
    ok = True
    labels = {}
    for code, text in (r.labels or {}).items():
        c = code
        if isinstance(code, str):
            try:
                c = int(code)
            except ValueError:
                if r.type in ("likert", "numeric"):
                    ctx.add("bad-response-format", path + ("labels",), detail=f"label code '{code}' is not a number")
                    ok = False
                    continue
        labels[c] = text
        ctx.text(text, path + ("labels", code), f"response label {code}")
    if r.type == "likert":
        if r.min is None or r.max is None:
            ctx.add("bad-response-format", path, detail="a likert response needs min and max")
            return None
        if r.min != int(r.min) or r.max != int(r.max) or r.max - r.min < 1 or r.max - r.min > 20:
            ctx.add("bad-response-format", path + ("min",), detail=f"likert min/max must be whole numbers with min < max (got {r.min:g}..{r.max:g})")
            return None
        # a missing code (e.g. 8 = don't know, 9 = not applicable) may carry a label outside min..max
        missing = {c for c in r.missing_codes if not isinstance(c, str)}
        bad = [c for c in labels if c not in missing and (not isinstance(c, int) or not r.min <= c <= r.max)]
        if bad:
            ctx.add("bad-response-format", path + ("labels",), detail=f"label codes {bad} lie outside {r.min:g}..{r.max:g}")
            ok = False
    elif r.type in ("categorical", "ordinal"):
        if not labels:
            ctx.add("bad-response-format", path, detail=f"a {r.type} response needs labels (its categories)")
            ok = False
    if r.min is not None and r.max is not None and r.min > r.max:
        ctx.add("bad-response-format", path, detail="min is greater than max")
        ok = False
    if not ok:
        return None
    mn = int(r.min) if r.type == "likert" else r.min
    mx = int(r.max) if r.type == "likert" else r.max
    return ResponseFormat(r.type, mn, mx, labels, tuple(r.missing_codes), name)


def _semantics(ctx: _Ctx, base_dir: Path, depth: int, stack: tuple) -> dict:
    """Check what the schema cannot (ids, languages, formats, includes, references) and
    build the parts of the instrument; problems go to ``ctx.findings``."""
    spec = ctx.spec
    ctx.claim(spec.id, ("id",), "id")
    _check_texts(ctx)
    formats = _formats(ctx)
    default = _response(ctx, spec.response, ("response",), formats)
    ctx.referent_response = _response(ctx, spec.referent_response, ("referent_response",), formats)
    if ctx.referent_response is BROKEN:
        ctx.referent_response = None
    included = _includes(ctx, base_dir, depth, stack)   # first: their ids count too
    scales = [_scale(ctx, si, s, formats, default) for si, s in enumerate(spec.scales)]
    variables = _variables(ctx, formats)
    all_item_ids = {i.id for s in scales for i in s.items} | {i.id for sub in included for i in sub.items}
    checks = _attention_checks(ctx, formats, default, all_item_ids)
    var_ids = {v.id for v in variables} | {v.id for sub in included for v in sub.variables}
    for k, u in enumerate(spec.units):
        if u not in var_ids:
            ctx.add("bad-units", ("units", k), column=u,
                    detail=f"units lists '{u}', which is not a variable of the instrument (declare it under variables)")
    experiment = None
    if spec.experiment is not None:  # survey experiment (instruments/experiment.py)
        from .experiment import check_experiment
        from .schema import ID_RE

        experiment = check_experiment(ctx, spec.experiment, ID_RE)
    return {"scales": scales, "variables": variables, "checks": checks, "included": included,
            "experiment": experiment}


def _check_texts(ctx: _Ctx) -> None:
    spec = ctx.spec
    ctx.text(spec.title, ("title",), "title")
    ctx.text(spec.description, ("description",), "description")
    ctx.text(spec.instructions, ("instructions",), "instructions")
    ctx.text(spec.referent_instructions, ("referent_instructions",), "referent_instructions")
    if isinstance(spec.citation, dict):
        ctx.text(spec.citation, ("citation",), "citation")


def _formats(ctx: _Ctx) -> dict:
    """The named response formats that are usable (the broken ones are remembered)."""
    formats = {}
    for name, r in ctx.spec.response_formats.items():
        f = _make_format(ctx, r, ("response_formats", name), name)
        if f is not None:
            formats[name] = f
        else:
            ctx.broken_formats.add(name)
    return formats


def _includes(ctx: _Ctx, base_dir: Path, depth: int, stack: tuple) -> list[Instrument]:
    """The included instruments (relative to this file, or bundled ids); their ids are claimed."""
    included: list[Instrument] = []
    for k, ref in enumerate(ctx.spec.include):
        path = ("include", k)
        try:
            p = _resolve_ref(ref, base_dir)
            if str(p.resolve()) in stack:
                raise AvoidSurveyError(f"include cycle through '{ref}'")
            if depth >= MAX_INCLUDE_DEPTH:
                raise AvoidSurveyError("includes nested too deeply")
            sub = _load_included(p, depth + 1, stack)
        except AvoidSurveyError as exc:
            if exc.message == "instrument file not found":
                why = "no such file (paths are relative to this instrument file) and no bundled instrument of that id"
            else:
                why = exc.one_line()
            ctx.add("bad-include", path, detail=f"cannot include '{ref}': {why}")
            continue
        included.append(sub)
        for obj in [*sub.all_scales(), *sub.items, *sub.variables, *sub.attention_checks]:
            if obj.id in ctx.ids:
                ctx.add("duplicate-id", path, column=obj.id, id=obj.id, first=ctx.ids[obj.id])
            else:
                ctx.ids[obj.id] = ctx.doc.line_of(path)
    return included


def _scale(ctx: _Ctx, si: int, s, formats: dict, default) -> Scale:
    """One scale with its facets and items (a response format inherited downwards)."""
    spec = ctx.spec
    sp = ("scales", si)
    ctx.claim(s.id, sp + ("id",), s.id)
    ctx.text(s.label, sp + ("label",), f"label of scale '{s.id}'")
    ctx.text(s.description, sp + ("description",), f"description of scale '{s.id}'")
    s_resp = _response(ctx, s.response, sp + ("response",), formats) or default
    if s.items and s.facets:
        ctx.add("scale-items-and-facets", sp, id=s.id)
    if not s.items and not s.facets:
        ctx.add("facet-without-items", sp, what="scale", id=s.id)
    facets = []
    for fi, f in enumerate(s.facets):
        fp = sp + ("facets", fi)
        ctx.claim(f.id, fp + ("id",), f.id)
        ctx.text(f.label, fp + ("label",), f"label of facet '{f.id}'")
        f_resp = _response(ctx, f.response, fp + ("response",), formats) or s_resp
        if not f.items:
            ctx.add("facet-without-items", fp, what="facet", id=f.id)
        ref_resp = None if (s.response is not None or f.response is not None) else ctx.referent_response
        items = tuple(_items(ctx, f.items, fp, f_resp, formats, s.id, f.id, ref_resp))
        facets.append(Scale(f.id, f.label, items, (), s.id, f.description, s.optional, spec.id))
    if facets:
        items = tuple(i for f in facets for i in f.items)
    else:
        ref_resp = None if s.response is not None else ctx.referent_response
        items = tuple(_items(ctx, s.items, sp, s_resp, formats, s.id, None, ref_resp))
    return Scale(s.id, s.label, items, tuple(facets), None, s.description, s.optional, spec.id)


def _variables(ctx: _Ctx, formats: dict) -> list[Variable]:
    spec = ctx.spec
    variables = []
    for vi, v in enumerate(spec.variables):
        vp = ("variables", vi)
        ctx.claim(v.id, vp + ("id",), v.id)
        ctx.text(v.label, vp + ("label",), f"label of variable '{v.id}'")
        ctx.text(v.text, vp + ("text",), f"text of variable '{v.id}'")
        r = _response(ctx, v.response, vp + ("response",), formats)
        if v.response is None:
            r = ResponseFormat("id" if v.role in ("id", "cluster") else "text")
        _check_measures(ctx, v.measures, vp)
        if r is not None and r is not BROKEN:
            variables.append(Variable(v.id, v.label, r, v.text, v.level, v.role, v.pii, tuple(v.aliases),
                                      v.required, spec.id, tuple(v.measures)))
    return variables


def _attention_checks(ctx: _Ctx, formats: dict, default, all_item_ids: set) -> list[AttentionCheck]:
    checks = []
    for ai, a in enumerate(ctx.spec.attention_checks):
        ap = ("attention_checks", ai)
        ctx.claim(a.id, ap + ("id",), a.id)
        ctx.text(a.text, ap + ("text",), f"attention check '{a.id}'")
        r = _response(ctx, a.response, ap + ("response",), formats) or default
        expected = tuple(a.expected if isinstance(a.expected, list) else [a.expected])
        if r is None:
            ctx.add("bad-attention-check", ap, detail=f"attention check '{a.id}' has no response format")
            continue
        if r is BROKEN:
            continue
        if r.codes and any(e not in r.codes for e in expected):
            ctx.add("bad-attention-check", ap + ("expected",), detail=f"expected answer {list(expected)} is not a code of its response format")
        if a.after and a.after not in all_item_ids:
            ctx.add("bad-attention-check", ap + ("after",), detail=f"'after: {a.after}' names no item")
        checks.append(AttentionCheck(a.id, a.text, r, expected, tuple(a.aliases), a.after))
    return checks


def _items(ctx, items, path, resp, formats, scale_id, facet_id, ref_resp=None):
    for ii, it in enumerate(items):
        ip = path + ("items", ii)
        ctx.claim(it.id, ip + ("id",), it.id)
        ctx.text(it.text, ip + ("text",), f"item '{it.id}'")
        if it.referent is not None:
            ctx.text(it.referent, ip + ("referent",), f"referent wording of item '{it.id}'")
        r = _response(ctx, it.response, ip + ("response",), formats) or resp
        if r is BROKEN:
            continue
        if r is None:
            ctx.add("bad-response-format", ip, detail=f"item '{it.id}' has no response format (set response on the instrument, scale or item)")
            continue
        if it.reverse and not r.is_likert:
            ctx.add("reverse-non-likert", ip + ("reverse",), column=it.id, id=it.id, type=r.type)
        _check_measures(ctx, it.measures, ip)
        yield Item(it.id, it.text, r, it.reverse, scale_id, facet_id, tuple(it.aliases), it.referent, it.note,
                   tuple(it.measures), ref_resp if r.is_likert else None)


def _check_measures(ctx: _Ctx, measures, path) -> None:
    """Every `measures:` tag must name a mechanism of the catalogue (instruments/mechanisms.py)."""
    if not measures:
        return
    from .mechanisms import mechanism_ids
    known = mechanism_ids()
    for k, mid in enumerate(measures):
        if mid not in known:
            close = _close_matches(mid, sorted(known))
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {min(known)}..{max(known)})"
            ctx.add("unknown-mechanism", path + ("measures", k), column=mid, id=mid, hint=hint)


# ---------------------------------------------------------------- entry points
def _parse(path: Path):
    """Return (doc, spec or None, findings)."""
    from pydantic import ValidationError

    from avoid_survey.analysis.core.yamlsafe import load_yaml

    from .schema import InstrumentSpec

    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise AvoidSurveyError("an instrument file must be a YAML mapping (id, version, title, scales...)",
                               file=path, line=1)
    try:
        spec = InstrumentSpec.model_validate(doc.data)
    except ValidationError as exc:
        return doc, None, [f for _, f in _schema_findings(doc, exc)]
    return doc, spec, []


# included files already loaded during this load, by (real path, mtime, depth): an include
# graph with fan-out (A includes B and C, both include D...) parses each file once per depth
# instead of once per path through the graph (12 files at 5 levels: 5 x 12 loads, not 12^5)
_INCLUDED: dict = {}


def _load_included(path: Path, depth: int, stack: tuple) -> Instrument:
    try:
        key = (str(path.resolve()), path.stat().st_mtime, depth)
    except OSError:
        return _load_path(path, depth, stack)
    if key not in _INCLUDED:
        # a file that loaded once has no cycle below it: the cached result is safe to reuse
        _INCLUDED[key] = _load_path(path, depth, stack)
    return _INCLUDED[key]


def _load_path(path: Path, depth: int = 0, stack: tuple = ()) -> Instrument:
    key = str(path.resolve())
    found = _check(path, depth, stack + (key,))
    findings, inst = found
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        errors.sort(key=lambda f: (f.row or 0))
        first = errors[0]
        more = f" ({len(errors) - 1} more problem(s); see `avoid-survey instruments check {path}`)" if len(errors) > 1 else ""
        raise AvoidSurveyError(first.message + more, file=path, line=first.row)
    return inst


def _check(path: Path, depth: int, stack: tuple):
    doc, spec, findings = _parse(path)
    if spec is None:
        return findings, None
    ctx = _Ctx(doc, spec, str(path))
    parts = _semantics(ctx, path.parent, depth, stack)
    if any(f.severity == "error" for f in ctx.findings):
        return ctx.findings, None
    scales = [*(s for sub in parts["included"] for s in sub.scales), *parts["scales"]]
    waves = ()
    if spec.waves is not None:   # repeated scales, one copy per wave (instruments/waves.py)
        from .waves import expand_waves
        scales = expand_waves(ctx, scales, spec.waves)
        if any(f.severity == "error" for f in ctx.findings):
            return ctx.findings, None
        waves = tuple(spec.waves.ids)
    variables = [*(v for sub in parts["included"] for v in sub.variables), *parts["variables"]]
    checks = [*(a for sub in parts["included"] for a in sub.attention_checks), *parts["checks"]]
    langs = ctx.langs
    wordings = tuple(dict.fromkeys([*spec.wordings, *(w for sub in parts["included"] for w in sub.wordings)]))
    cit = spec.citation if isinstance(spec.citation, dict) or spec.citation is None else \
        dict.fromkeys(("en", "zh"), spec.citation)  # one text for both languages
    inst = Instrument(spec.id, spec.version, spec.title, langs, tuple(scales), tuple(variables), tuple(checks),
                      spec.description, cit, spec.instructions, spec.licence, str(path),
                      tuple(sub.id for sub in parts["included"]), wordings, tuple(parts["included"]),
                      spec.referent_instructions, parts["experiment"], waves,
                      tuple(spec.units) or next((sub.units for sub in parts["included"] if sub.units), ()))
    return ctx.findings, inst


@lru_cache(maxsize=64)
def _cached(key: str, mtime: float) -> Instrument:
    from . import cache  # a file checked before and unchanged since: no YAML, no pydantic

    inst = cache.lookup(Path(key))
    if inst is None:
        _INCLUDED.clear()
        try:
            inst = _load_path(Path(key))
        finally:
            _INCLUDED.clear()
        cache.store(Path(key), inst)
    return inst


def load_instrument(ref) -> Instrument:
    """Load a bundled instrument by id, or a user's instrument file by path.

    Raises AvoidSurveyError (file, line, problem) for anything wrong in the file.
    """
    if isinstance(ref, Instrument):
        return ref
    path = _resolve_ref(ref)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise AvoidSurveyError(f"cannot read instrument: {exc.strerror}", file=path) from None
    inst = _cached(str(path), mtime)
    if str(path) != inst.source:  # pragma: no cover - cache keyed by path
        return _load_path(path)
    return inst


def check_instrument_file(ref) -> list[Finding]:
    """Every problem of an instrument file (empty list: it loads)."""
    path = _resolve_ref(ref)
    _INCLUDED.clear()
    try:
        findings, _ = _check(path, 0, (str(path.resolve()),))
    except AvoidSurveyError as exc:
        return [finding("yaml-invalid", row=exc.line, detail=exc.message)]
    finally:
        _INCLUDED.clear()
    return sorted(findings, key=lambda f: (f.row or 0))


def list_instruments() -> list[Instrument]:
    return [load_instrument(i) for i in bundled_ids()]


# ---- precomputed catalog: `instruments list` prints it without loading pydantic or YAML

CATALOG_PATH = DATA_DIR / "catalog.json"


def catalog_sources() -> dict[str, str]:
    """sha256 of every bundled instrument file, by id (what the catalog was built from)."""
    import hashlib
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA_DIR.glob("*.yaml"))}


def build_catalog() -> dict:
    """The `instruments list` output (JSON list and the table in each language), precomputed.

    Rebuild with ``python -c "from avoid_survey.instruments.loader import write_catalog; write_catalog()"``
    after editing a bundled instrument; a test fails while the file is stale, and the command
    falls back to loading the YAML files when a hash does not match.
    """
    from .summary import catalog

    cat = catalog()
    tables = {}
    for lang in ("en", "zh"):
        t = cat.to_tables(lang)[0]
        tables[lang] = {"title": t.title_text(lang), "notes": t.notes_text(lang),
                        "columns": [{"key": c.key, "text": c.text(lang), "kind": c.kind} for c in t.columns],
                        "rows": [list(r) for r in t.rows]}
    listing = cat.to_dict()
    for entry in (listing if isinstance(listing, list) else []):
        if isinstance(entry, dict) and entry.get("source"):
            entry["source"] = Path(entry["source"]).name  # made absolute again where installed
    return {"sources": catalog_sources(), "list": listing, "tables": tables}


def write_catalog(path=None) -> Path:
    import json
    p = Path(path) if path else CATALOG_PATH
    p.write_text(json.dumps(build_catalog(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return p
