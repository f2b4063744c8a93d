"""Screening: one declared step, shared by every analysis, from the rows received to the
sample analysed.

Rules, applied in this order to the rows still in the sample (each row is removed by the
first rule it fails, so the counts add up):

``blank``
    no item (or attention check) answered; without an instrument, every cell empty except
    platform metadata (序号, 提交答卷时间 ...). Always on: a blank row never counts.
``duplicate_id``
    the respondent id already appeared (the first submission is kept). On by default.
``duplicate_answers``
    the same answers to every item as an earlier row (a resubmission); rows answering
    fewer than half the items, or giving one answer throughout (the longstring index's
    business), are not compared.
``speeder``
    duration below ``seconds_per_item`` x items answered on screen (or ``min_duration``).
``attention``
    an attention check answered with anything but the expected code.
``careless``
    a multiple-hurdle rule: flagged by at least ``k`` of the careless-response indices
    (longstring, irv, mahalanobis, even_odd, missing), with validate's thresholds.

Out-of-range codes (55 on a 1-5 item) become missing cell by cell (``out_of_range``;
rows are not removed). The result is an exclusion flow, ``[{"step", "rule",
"n_removed", "n_remaining"}]`` from ``received`` to ``analysed``, printed by every
command and stated in the report's methods paragraph.

Declared in a spec (``screening:``) or on the command line (``--screen``)::

    screening:
      duplicates: id            # id | answers | both | none
      speeders: {seconds_per_item: 2}     # or true / false
      attention: true
      careless: {indices: [longstring, irv, mahalanobis, even_odd], k: 2}
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core.errors import AvoidSurveyError
from .flow import _step, add_out_of_range, unscreened_flow

__all__ = ["Screening", "ScreenResult", "screen", "CARELESS_INDICES", "RULES", "parse_screen_option",
           "flow_line", "add_out_of_range", "flow_note", "screen_frame", "unscreened_flow"]

# index name -> the validate flag it reads
CARELESS_INDICES = {"longstring": "flag_longstring", "irv": "flag_irv", "mahalanobis": "flag_mahalanobis",
                    "even_odd": "flag_even_odd", "missing": "flag_missing"}
# the rule names of --screen, in the order they apply
RULES = ("duplicates", "speeders", "attention", "careless")
_DUPLICATES = ("id", "answers", "both", "none")


@dataclass(frozen=True)
class Screening:
    """The screening rules. Blank rows and out-of-range codes always apply; so does
    ``duplicates: id`` unless turned off (``--screen none``, ``duplicates: none``)."""

    duplicates: str = "id"
    speeders: bool = False
    seconds_per_item: float | None = None
    min_duration: float | None = None
    attention: bool = False
    careless: tuple = ()
    careless_k: int = 2

    @property
    def active(self) -> bool:
        """Any rule beyond the defaults."""
        return self.duplicates not in ("id", "none") or self.speeders or self.attention or bool(self.careless)

    @classmethod
    def from_mapping(cls, d, where: str = "screening") -> "Screening":
        """From a spec's ``screening:`` block (unknown keys and bad values are errors)."""
        if d is None or d is False:
            return cls()
        if d is True:
            return cls.from_rules(["all"])
        if not isinstance(d, dict):
            raise AvoidSurveyError(f"{where}: a mapping (duplicates, speeders, attention, careless) or true")
        known = {"duplicates", "speeders", "attention", "careless", "blank", "out_of_range"}
        bad = [k for k in d if k not in known]
        if bad:
            raise AvoidSurveyError(f"{where}: unknown key '{bad[0]}' (allowed: {', '.join(sorted(known))})")
        kw = {}
        dup = d.get("duplicates", "id")
        dup = {True: "both", False: "none", None: "none"}.get(dup, dup)
        if dup not in _DUPLICATES:
            raise AvoidSurveyError(f"{where}.duplicates: one of {', '.join(_DUPLICATES)} (got {dup!r})")
        kw["duplicates"] = dup
        sp = d.get("speeders", False)
        if isinstance(sp, dict):
            extra = [k for k in sp if k not in ("seconds_per_item", "min_duration")]
            if extra:
                raise AvoidSurveyError(f"{where}.speeders: unknown key '{extra[0]}' (seconds_per_item, min_duration)")
            kw.update(speeders=True, seconds_per_item=_num(sp.get("seconds_per_item"), where),
                      min_duration=_num(sp.get("min_duration"), where))
        else:
            kw["speeders"] = bool(sp)
        kw["attention"] = bool(d.get("attention", False))
        cr = d.get("careless")
        if cr:
            if cr is True:
                cr = {}
            if isinstance(cr, list):
                cr = {"indices": cr}
            if not isinstance(cr, dict):
                raise AvoidSurveyError(f"{where}.careless: a mapping {{indices: [...], k: 2}} or true")
            idx = tuple(cr.get("indices") or ("longstring", "irv", "mahalanobis", "even_odd"))
            unknown = [i for i in idx if i not in CARELESS_INDICES]
            if unknown:
                raise AvoidSurveyError(f"{where}.careless: unknown index '{unknown[0]}' "
                                       f"(known: {', '.join(CARELESS_INDICES)})")
            k = cr.get("k", 2)
            if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(idx):
                raise AvoidSurveyError(f"{where}.careless.k: a whole number from 1 to {len(idx)} (got {k!r})")
            kw.update(careless=idx, careless_k=k)
        return cls(**kw)

    @classmethod
    def from_rules(cls, rules, careless_k: int | None = None) -> "Screening":
        """From ``--screen`` names: duplicates, speeders, attention, careless, all, none."""
        names = set()
        for r in rules:
            names |= {x.strip().lower() for x in str(r).split(",") if x.strip()}
        if "all" in names:
            names |= set(RULES)
        bad = [n for n in names if n not in (*RULES, "all", "none")]
        if bad:
            raise AvoidSurveyError(f"--screen: unknown rule '{bad[0]}' (use {', '.join(RULES)}, all or none)")
        dup = "both" if "duplicates" in names else ("none" if "none" in names else "id")
        sc = cls(duplicates=dup, speeders="speeders" in names,
                 attention="attention" in names,
                 careless=("longstring", "irv", "mahalanobis", "even_odd") if "careless" in names else ())
        if careless_k is not None:
            sc = replace(sc, careless=sc.careless or ("longstring", "irv", "mahalanobis", "even_odd"),
                         careless_k=careless_k)
        return sc

    def describe(self) -> list[str]:
        """The rules in force, one phrase each (English; the flow's ``rule`` texts)."""
        out = ["blank rows"]
        if self.duplicates != "none":
            out.append({"id": "duplicate ids", "answers": "duplicate answer vectors",
                        "both": "duplicate ids and answer vectors"}[self.duplicates])
        if self.speeders:
            out.append("speeders")
        if self.attention:
            out.append("failed attention checks")
        if self.careless:
            out.append(f"careless responding ({self.careless_k} of {len(self.careless)} indices)")
        return out


def _num(v, where):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise AvoidSurveyError(f"{where}: thresholds are non-negative numbers (got {v!r})")
    return float(v)


def parse_screen_option(values, careless_k=None) -> Screening | None:
    """``--screen`` values (repeatable, comma-separated) to a Screening; None when not given."""
    if not values and careless_k is None:
        return None
    return Screening.from_rules(values or [], careless_k)


@dataclass(frozen=True)
class ScreenResult:
    """keep : boolean array over the rows received; flow : the exclusion flow;
    flags : {flag column: boolean array} (one per rule that ran); n_out_of_range: cells."""

    keep: object
    flow: list
    flags: dict = field(default_factory=dict)
    n_out_of_range: int = 0


def screen(ld, instrument, cfg: Screening | None, path=None, *, n_out_of_range: int = 0) -> ScreenResult:
    """The rows of a read file (:class:`~avoid_survey.analysis.io.Loaded`) left by ``cfg``."""
    import numpy as np

    cfg = cfg or Screening()
    df = ld.frame
    n = int(df.shape[0])
    keep = np.ones(n, bool)
    flow = [_step("received", "rows in the file", 0, n)]
    flags: dict = {}

    def apply(step, rule, bad):
        bad = np.asarray(bad, bool)
        flags[f"flag_{step}"] = bad
        removed = bad & keep
        keep[removed] = False
        flow.append(_step(step, rule, removed.sum(), keep.sum()))

    items = _items(df, instrument)
    apply("blank", "no item answered" if items else "every cell empty", _blank(ld, items))
    if cfg.duplicates in ("id", "both"):
        apply("duplicate_id", "respondent id seen before (first kept)", _dup_id(df, instrument, keep))
    if cfg.duplicates in ("answers", "both") and items:
        checks = {a.id for a in instrument.attention_checks} if instrument is not None else set()
        apply("duplicate_answers", "same answers to every item as an earlier row",
              _dup_answers(df, [i for i in items if i not in checks], keep))
    if cfg.speeders or cfg.attention or cfg.careless:
        if instrument is None:
            raise AvoidSurveyError("screening for speeders, attention checks or careless responding needs "
                                   "--instrument", file=path)
        vflags, th = _validate_flags(ld, instrument, cfg, path)
        if cfg.speeders:
            basis = (f"duration < {th.min_duration:g} s" if th.min_duration is not None
                     else f"duration < {th.seconds_per_item:g} s per item")
            apply("speeder", basis, vflags.get("flag_speeder", np.zeros(n, bool)))
        if cfg.attention:
            apply("attention", "attention check failed", vflags.get("flag_attention", np.zeros(n, bool)))
        if cfg.careless:
            cnt = np.zeros(n, np.int64)
            for idx in cfg.careless:
                v = vflags.get(CARELESS_INDICES[idx])
                if v is not None:
                    cnt += np.asarray(v, bool)
            apply("careless", f"flagged by >= {cfg.careless_k} of {len(cfg.careless)} indices "
                              f"({', '.join(cfg.careless)})", cnt >= cfg.careless_k)
    flow.append(_step("analysed", "rows analysed", 0, keep.sum()))
    return ScreenResult(keep, add_out_of_range(flow, n_out_of_range), flags, int(n_out_of_range))


def screen_frame(frame, instrument, cfg=None, name: str = "<data frame>"):
    """A DataFrame (already coded) through the screening a file gets: the rows kept, a new
    frame with the exclusion flow in ``attrs["screening"]`` (also in the command's read log)."""
    from types import SimpleNamespace

    from ..io.readopts import current

    opts = current()
    cfg = cfg if cfg is not None else opts.screening
    ld = SimpleNamespace(frame=frame, bad_cells={}, platform={}, info={"file": name})
    sc = screen(ld, instrument, cfg, name)
    out = frame.loc[sc.keep].reset_index(drop=True) if not sc.keep.all() else frame.copy()
    out.attrs["screening"] = sc.flow
    opts.log.add_flow(name, sc.flow)
    return out


def flow_note(path, flow, cfg) -> None:
    """Say the exclusion flow in one note when a row was removed or a rule beyond the
    defaults was asked for."""
    from pathlib import Path

    from ..core.errors import DataNote, warn
    from ..io.readopts import current

    removed = any(s["n_removed"] for s in flow)
    if not removed and not (cfg is not None and cfg.active):
        return
    opts = current()
    line = f"{Path(str(path)).name}: " + flow_line(flow, opts.lang)
    log = opts.log
    if line not in log.notes:
        log.notes.add(line)
        warn(line, DataNote)


def _col(df, c):
    """Column ``c`` as a Series (the first one when the name is duplicated)."""
    s = df[c]
    return s.iloc[:, 0] if getattr(s, "ndim", 1) == 2 else s


def _items(df, instrument):
    if instrument is None:
        return []
    cols = set(df.columns)
    return [i.id for i in instrument.items if i.id in cols] + \
        [a.id for a in instrument.attention_checks if a.id in cols]


def _blank(ld, items):
    import numpy as np
    import pandas as pd

    df = ld.frame
    n = int(df.shape[0])
    if items:
        answered = np.zeros(n, bool)
        for c in items:
            s = _col(df, c)
            ok = s.notna().to_numpy()
            if ok.all():   # a column answered on every row: no row is blank
                return np.zeros(n, bool)
            answered |= ok
            if c in ld.bad_cells:
                answered[ld.bad_cells[c][0]] = True
        return ~answered
    cols = [c for c in df.columns if c not in ld.platform]
    if not cols:
        return np.zeros(n, bool)
    empty = np.ones(n, bool)
    for c in dict.fromkeys(cols):
        s = _col(df, c)
        e = s.isna().to_numpy()
        if not pd.api.types.is_numeric_dtype(s):
            e = e | (s.astype("string").str.strip() == "").fillna(True).to_numpy(dtype=bool)
        empty &= e
    return empty


def _dup_id(df, instrument, keep):
    import numpy as np

    idc = instrument.id_column() if instrument is not None else None
    if idc is None or idc not in df.columns or getattr(instrument, "experiment", None) is not None:
        # an experiment's data are long: one row per respondent x vignette (or task x
        # profile), so a respondent id repeats by design
        return np.zeros(len(df), bool)
    s = _col(df, idc).where(keep)
    return (s.duplicated(keep="first") & s.notna()).to_numpy()


def _dup_answers(df, items, keep):
    import numpy as np

    import pandas as pd

    cols = [_col(df, c) for c in dict.fromkeys(items)]
    cols = [pd.to_numeric(s, errors="coerce") for s in cols]
    X = np.column_stack([s.to_numpy(dtype=float, na_value=np.nan) for s in cols])
    answered = (~np.isnan(X)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        constant = np.nanmax(np.where(np.isnan(X), -np.inf, X), axis=1) == np.nanmin(np.where(np.isnan(X), np.inf, X),
                                                                                       axis=1)
    ok = keep & (answered * 2 >= len(items)) & ~constant
    key = np.where(np.isnan(X), -999.0, X)
    out = np.zeros(len(df), bool)
    seen = {}
    for i in np.flatnonzero(ok):
        k = key[i].tobytes()
        if k in seen:
            out[i] = True
        else:
            seen[k] = i
    return out


def _validate_flags(ld, instrument, cfg, path):
    """validate's 0/1 flags on the same read (thresholds of the screening where given)."""
    from .run import validate_loaded
    from .thresholds import Thresholds

    th = Thresholds().merged(seconds_per_item=cfg.seconds_per_item, min_duration=cfg.min_duration)
    rep = validate_loaded(path or ld.info.get("file"), instrument, ld, th)
    if rep.flags is None:
        return {}, th
    return {c: rep.flags[c].to_numpy().astype(bool) for c in rep.flags.columns}, th


def flow_line(flow, lang: str = "zh") -> str:
    """The flow in one line: ``received 490 -> blank rows -3 -> ... -> analysed 440``."""
    from ..core.i18n import tr

    parts = []
    for s in flow:
        name = tr(f"scr_{s['step']}", lang)
        if s["step"] in ("received", "analysed"):
            parts.append(f"{name} {s['n_remaining']}")
        elif s["step"] == "out_of_range":
            parts.append(f"{name} {s.get('n_cells', 0)}")
        elif not s["n_removed"]:
            continue
        else:
            parts.append(f"{name} -{s['n_removed']}")
    return tr("scr_flow", lang) + ": " + " → ".join(parts)
