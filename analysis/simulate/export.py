"""Writing a simulated data set: responses, unit and truth files (``simulate --out``).

:func:`run_simulate` is what the command runs: load the study, simulate once, write the
files (every data format of :mod:`avoid_survey.analysis.io.write`; xlsx made byte-stable)
and return a :class:`SimulationSummary`. :func:`wjx_frame` renders the responses as a
Wenjuanxing (问卷星) "按文本" export.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..core.errors import AvoidSurveyError
from ..core.i18n import tr
from ..core.table import Cell, Column, Table
from .generation import Simulation, item_frame, simulate
from .progress import Progress, stderr_tty
from .spec import DesignSpec, load_study

__all__ = ["SimulationSummary", "run_simulate", "wjx_frame", "write_frame"]


# ================================================================ Wenjuanxing-style export
_WJX_PLACES = ["北京-北京", "河北-石家庄", "山东-济南", "河南-郑州", "湖北-武汉", "湖南-长沙", "四川-成都",
               "浙江-杭州", "江苏-南京", "广东-广州", "安徽-合肥", "江西-南昌"]
_WJX_SOURCES = ["微信", "手机提交", "链接"]
_DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"]  # RFC 5737 documentation ranges
_WJX_EMPTY = "(空)"


def wjx_frame(sim: Simulation, *, lang: str = "zh"):
    """The responses as a Wenjuanxing (问卷星) "按文本" export would look.

    Metadata columns 序号, 提交答卷时间, 所用时间 ("125秒"), 来源, 来源详情, 来自IP (fake
    addresses from the RFC 5737 documentation ranges), then one column per question, headed
    "N. <question text>", with answer texts ("同意") instead of codes; unanswered questions
    are "(空)". Deterministic given the simulation. (The metadata headers are Wenjuanxing's
    own, so they stay in Chinese whatever ``lang`` the question texts take.)
    """
    import pandas as pd

    study = sim.study
    df = sim.responses
    out = _wjx_metadata(df, study.columns["duration"])
    texts = _question_texts(study.instrument, lang)
    resp = study.instrument.responses()
    skip = {study.columns["id"], study.columns["duration"]}
    qn = 0
    for col in df.columns:
        if col in skip:
            continue
        qn += 1
        out[f"{qn}. {texts.get(col) or col}"] = _wjx_answers(df[col], resp.get(col), lang)
    return pd.DataFrame(out)


def _wjx_metadata(df, duration_col: str) -> dict:
    """序号 .. 来自IP: submission times, durations, sources and documentation-range addresses."""
    import datetime as _dt

    import numpy as np

    n = len(df)
    rng = np.random.default_rng(np.random.SeedSequence([7, len(df), int(df[duration_col].fillna(0).sum())]))
    out: dict[str, object] = {}
    out["序号"] = np.arange(1, n + 1)
    dur = df[duration_col].astype("Float64").fillna(0).astype(float).to_numpy()
    start = _dt.datetime(2025, 5, 12, 8, 30, 0)
    gaps = np.cumsum(rng.exponential(180.0, n))
    times = [start + _dt.timedelta(seconds=float(g)) for g in gaps]  # 序号 is the order of submission
    out["提交答卷时间"] = [f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}" for t in times]
    out["所用时间"] = [f"{int(s)}秒" for s in dur]
    out["来源"] = np.asarray(_WJX_SOURCES, dtype=object)[rng.choice(3, size=n, p=[0.7, 0.2, 0.1])]
    out["来源详情"] = ["直接访问"] * n
    nets = rng.integers(0, 3, size=n)
    hosts = rng.integers(1, 255, size=n)
    places = rng.integers(0, len(_WJX_PLACES), size=n)
    out["来自IP"] = [f"{_DOC_NETS[a]}.{b}({_WJX_PLACES[c]})" for a, b, c in zip(nets, hosts, places)]
    return out


def _question_texts(inst, lang: str) -> dict:
    from ..core.i18n import text_in

    texts = {}
    for v in inst.variables:
        texts[v.id] = text_in(v.text, lang) if v.text else v.name(lang)
    for it in inst.items:
        texts[it.id] = it.wording(lang)
    for a in inst.attention_checks:
        texts[a.id] = text_in(a.text, lang)
    return texts


def _wjx_answers(s, fmt, lang: str) -> list:
    """Answer texts of one column: labels for coded answers, 是/否 for yes/no, else the value."""
    import pandas as pd

    from ..core.i18n import text_in

    if fmt is not None and fmt.labels and fmt.type in ("likert", "categorical", "ordinal"):
        lab = {float(c): text_in(t, lang) for c, t in fmt.labels.items() if _is_number(c)}
        return [(_WJX_EMPTY if pd.isna(x) else lab.get(float(x), str(int(x)) if float(x).is_integer() else str(x)))
                for x in s.astype("Float64")]
    if fmt is not None and fmt.type == "boolean":
        return [_WJX_EMPTY if pd.isna(x) else ("是" if int(x) == 1 else "否") for x in s.astype("Float64")]
    return [_WJX_EMPTY if pd.isna(x) else (str(int(x)) if isinstance(x, float) and x.is_integer() else str(x))
            for x in s.astype(object)]


def _is_number(c) -> bool:
    try:
        float(c)
        return True
    except (TypeError, ValueError):
        return False


# ================================================================ data files
def _normalise_xlsx(src: str, dst: str) -> None:
    """Copy an xlsx with fixed zip timestamps and document times, so equal data give equal bytes."""
    import zipfile

    fixed = "2000-01-01T00:00:00Z"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in sorted(zin.infolist(), key=lambda i: i.filename):
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                txt = data.decode("utf-8")
                txt = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{fixed}\g<3>", txt)
                data = txt.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)


def write_frame(df, path, *, instrument=None, force: bool = False) -> Path:
    """Write a data frame by extension through :func:`write_data`; xlsx made byte-stable."""
    import tempfile

    from ..io.output import write_atomic_with
    from ..io.write import write_data

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        return write_data(df, p, instrument=instrument, force=force)

    def _w(tmp):
        with tempfile.TemporaryDirectory(prefix="avoid-sim-") as td:
            raw = Path(td) / "raw.xlsx"
            write_data(df, raw, instrument=instrument, force=True)
            _normalise_xlsx(str(raw), tmp)

    return write_atomic_with(p, _w, force)


def _unit_instrument(inst):
    """Labels for the unit file: the bundled unit questionnaire of the instrument's major
    version, when present."""
    from .spec import unit_questionnaire
    return unit_questionnaire(inst)


# ================================================================ the simulate command
@dataclass(frozen=True)
class SimulationSummary:
    """What ``simulate --out`` made (printed by the command; JSON with ``--format json``)."""

    spec: str | None
    instrument: str
    seed: int | None
    n_respondents: int
    n_townships: int
    n_counties: int
    n_units: int | None
    n_items: int
    respondent_types: dict
    attention_failed: dict
    missing_share: float
    latents: list
    files: dict
    warnings: list = field(default_factory=list)   # WarningRecord (JSON: their messages)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        for k in ("respondent_types", "attention_failed", "files"):
            d[k] = dict(d[k])
        d["latents"] = list(self.latents)
        d["warnings"] = [str(w) for w in self.warnings]
        return d

    def to_tables(self, lang: str = "en") -> list[Table]:
        t = Table("@sim_title", [Column("what", "", "text"), Column("value", "@sim_value", "text")],
                  name="simulate")

        def row(key, v, **kw):
            t.add(Cell(tr(key, lang).format(**kw), "text"), Cell(str(v), "text"))

        row("sim_spec", self.spec or "")
        row("sim_instrument", self.instrument)
        row("sim_seed", self.seed)
        row("sim_respondents", self.n_respondents)
        row("sim_townships", self.n_townships)
        row("sim_counties", self.n_counties)
        if self.n_units is not None:
            row("sim_units", self.n_units)
        row("sim_likert_items", self.n_items)
        for k, v in self.respondent_types.items():
            row(f"sim_type_{k}", v)
        for k, v in self.attention_failed.items():
            row("sim_failed_check", v, check=k)
        row("sim_missing_share", f"{self.missing_share:.4f}")
        for k, v in self.files.items():
            row("sim_written", v, file=k)
        return [t]


_OUTPUTS = ("out", "units_out", "latent_out", "wjx_out", "items_out")


def run_simulate(spec_path, *, out, seed=None, units_out=None, latent_out=None, wjx_out=None,
                 force: bool = False, show_progress: bool = True, items_out=None) -> SimulationSummary:
    """Simulate one data set from ``spec_path`` and write the requested files.

    ``out`` gets the responses: when ``units_out`` is given it holds the individual-level
    columns only (the unit-level variables go to ``units_out``, joined by township id),
    otherwise the unit-level variables are appended to every official's row.
    ``latent_out`` gets the truth (ids, respondent type, every latent score);
    ``wjx_out`` (.xlsx) the same responses as a Wenjuanxing-style export;
    ``items_out`` the measurement parameters used (:func:`.generation.item_frame`).
    """
    study = load_study(spec_path)
    targets = dict(zip(_OUTPUTS, (out, units_out, latent_out, wjx_out, items_out)))
    _check_targets(spec_path, targets, force)
    if seed is None:
        seed = study.spec.seed if study.spec.seed is not None else 1
    # the bar only on a terminal: in a log it would leave a stray line next to the one-line error
    expected = _expected_n(study.spec.design)
    big = expected >= 50_000
    from .chunked import run_blocks, wants_blocks
    if wants_blocks(expected, targets):
        # large and CSV only: generated and written in blocks of counties (bounded memory;
        # other random draws than in one piece: see analysis/simulate/chunked.py)
        with Progress(show_progress and stderr_tty(), "simulating") as prog:
            files, c = run_blocks(study, seed, {k: v for k, v in targets.items() if k != "items_out"}, force, prog)
        if items_out is not None:
            files["items_out"] = str(write_frame(item_frame(study), items_out, force=force))
        return SimulationSummary(str(spec_path), study.instrument.id, seed, c["n"], c["n_townships"],
                                 c["n_counties"], c["n_units"], c["n_items"], c["rtypes"], c["att"], c["miss"],
                                 [p.id for p in study.latents], files, list(study.warnings))
    with Progress(show_progress and big and stderr_tty(), "simulating") as prog:
        sim = simulate(study, seed, progress=prog)
    df = sim.responses if units_out is not None else sim.joined()
    files = _write_files(sim, df, targets, force)
    return _summary(spec_path, sim, df, seed, files)


def _check_targets(spec_path, targets: dict, force: bool) -> None:
    """Distinct output files, none the spec itself, each writable and of a data format."""
    from ..io.output import check_output
    from ..io.write import DATA_FORMATS

    seen = {}
    for k, p in targets.items():
        if p is None:
            continue
        key = os.path.realpath(p)
        if key in seen:
            raise AvoidSurveyError(f"--{seen[key].replace('_', '-')} and --{k.replace('_', '-')} name the same file",
                                   file=p)
        seen[key] = k
        if key == os.path.realpath(spec_path):
            raise AvoidSurveyError("refusing to write over the study spec", file=p)
        check_output(p, force)
        ext = Path(p).suffix.lower()
        if k == "wjx_out" and ext != ".xlsx":
            raise AvoidSurveyError("--wjx-out writes a Wenjuanxing-style .xlsx file", file=p)
        if ext not in DATA_FORMATS:
            raise AvoidSurveyError(f"unsupported output type '{ext or '(none)'}' (use {', '.join(DATA_FORMATS)})",
                                   file=p)


def _write_files(sim: Simulation, df, targets: dict, force: bool) -> dict:
    inst = sim.study.instrument
    files = {"out": str(write_frame(df, targets["out"], instrument=inst, force=force))}
    if targets["units_out"] is not None:
        files["units_out"] = str(write_frame(sim.units, targets["units_out"], instrument=_unit_instrument(inst),
                                             force=force))
    if targets["latent_out"] is not None:
        files["latent_out"] = str(write_frame(sim.latents, targets["latent_out"], force=force))
    if targets["wjx_out"] is not None:
        files["wjx_out"] = str(write_frame(wjx_frame(sim), targets["wjx_out"], force=force))
    if targets.get("items_out") is not None:
        files["items_out"] = str(write_frame(item_frame(sim.study), targets["items_out"], force=force))
    return files


def _summary(spec_path, sim: Simulation, df, seed, files: dict) -> SimulationSummary:
    import numpy as np

    study = sim.study
    item_cols = [ip.id for ip in study.items]
    miss = float(np.mean(df[item_cols].isna().to_numpy())) if item_cols else 0.0
    types = sim.latents["respondent_type"].value_counts()
    rtypes = {k: int(types.get(k, 0)) for k in ("normal", "straight", "random", "speeder")}
    att = {}
    for a in study.checks:
        v = df[a.id].astype("Float64")
        att[a.id] = int((v.notna() & ~v.isin([float(e) for e in a.expected])).sum())
    n_units = int(sim.responses[study.columns["unit"]].nunique()) if study.has_units else None
    return SimulationSummary(str(spec_path), study.instrument.id, seed, len(df), len(sim.units),
                             int(sim.units[study.columns["county"]].nunique()), n_units, len(item_cols), rtypes, att,
                             miss, [p.id for p in study.latents], files, sim.warnings)


def _expected_n(d: DesignSpec) -> float:
    def mean(s):
        return s if isinstance(s, int) else (s[0] + s[1]) / 2

    per_t = mean(d.officials_per_township) if d.units_per_township is None else \
        mean(d.units_per_township) * mean(d.officials_per_unit)
    return d.counties * mean(d.townships_per_county) * per_t
