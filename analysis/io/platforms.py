"""Survey-platform conventions: metadata columns of Wenjuanxing (问卷星), Qualtrics,
腾讯问卷 and Credamo 见数 exports, what they write for "no answer", and durations such as "125秒" or "2分5秒".

Wenjuanxing/问卷星: question text as headers, optionally numbered ("1.", "Q1.", "1、") and
for matrix questions followed by "—" and the row text; metadata columns 序号, 提交答卷时间,
所用时间 ("125秒" -> 125 seconds), 来源, 来源详情, 来自IP.
Qualtrics CSV: a second header row of question text and a third of ``{"ImportId": ...}``
are detected and skipped (data row 1 is the first respondent); the question text row is
used to match columns too (see :mod:`.headers`).
"""
from __future__ import annotations

import re

__all__ = ["PLATFORM_COLUMNS", "MISSING_TOKENS", "parse_duration", "is_qualtrics_import_row"]

# normalised header -> (kind, what, platform). kind: meta | duration | pii
PLATFORM_COLUMNS: dict[str, tuple[str, str, str]] = {}

# what survey platforms write for "no answer" (Wenjuanxing: "(空)", "(跳过)")
MISSING_TOKENS = {"空", "跳过", "未填", "未回答", "无回答", "缺失", "na", "nan", "none", "null", "missing", "skipped"}


def _plat(names, kind, what, platform):
    for n in names:
        PLATFORM_COLUMNS[n] = (kind, what, platform)


_plat(["序号"], "meta", "row number", "wenjuanxing")
_plat(["提交答卷时间"], "meta", "submit time", "wenjuanxing")
_plat(["所用时间"], "duration", "time taken", "wenjuanxing")
_plat(["来源"], "meta", "source", "wenjuanxing")
_plat(["来源详情"], "meta", "source detail", "wenjuanxing")
_plat(["来自ip", "ip地址", "填写ip"], "pii", "IP address", "wenjuanxing")
_plat(["总分"], "meta", "total score", "wenjuanxing")
_plat(["startdate", "enddate", "recordeddate"], "meta", "timestamp", "qualtrics")
_plat(["status", "progress", "finished", "distributionchannel", "userlanguage", "externalreference",
       "externaldatareference"], "meta", "platform metadata", "qualtrics")
_plat(["durationinseconds"], "duration", "time taken", "qualtrics")
_plat(["responseid"], "meta", "response id", "qualtrics")
_plat(["ipaddress"], "pii", "IP address", "qualtrics")
_plat(["recipientlastname", "recipientfirstname"], "pii", "name", "qualtrics")
_plat(["recipientemail"], "pii", "e-mail", "qualtrics")
_plat(["locationlatitude", "locationlongitude"], "pii", "location", "qualtrics")

# 腾讯问卷 (wj.qq.com) and Credamo 见数: their export layouts are not publicly documented;
# these are the metadata headers their exports are known to carry
_plat(["用户类型", "用户标识", "自定义字段", "访问来源", "地理位置", "开始答题时间", "结束答题时间"], "meta",
      "platform metadata", "tencent")
_plat(["答题时长", "答题时长秒", "答题用时"], "duration", "time taken", "tencent")
_plat(["昵称", "微信昵称"], "pii", "name", "tencent")
_plat(["答卷编号", "开始时间", "提交时间", "作答状态", "设备类型", "作答设备"], "meta", "platform metadata", "credamo")
_plat(["作答时长", "作答时长秒", "作答用时"], "duration", "time taken", "credamo")
_plat(["ip"], "pii", "IP address", "tencent")

# compiled by pandas when a duration column needs it (case-insensitive), not at import
_DUR_RE = (r"^\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h|hours?)\s*)?(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|m|min|minutes?)\s*)?"
           r"(?:(\d+(?:\.\d+)?)\s*(?:秒|s|sec|seconds?)?)?\s*$")


def parse_duration(series):
    """Durations as seconds: numbers, "125秒", "2分5秒", "1小时2分", "125 s" (vectorised,
    each distinct text parsed once: a 问卷星 export of 500,000 rows has a few thousand)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    secs = np.append(_seconds(pd.Series(uniques, dtype=object)).to_numpy(dtype=float), np.nan)
    return pd.Series(secs[codes], index=series.index, name=series.name)


def _seconds(series):
    """:func:`parse_duration` of text values, one by one."""
    import numpy as np
    import pandas as pd

    s = series.astype("string").str.strip()
    num = pd.to_numeric(s, errors="coerce").astype(float)
    todo = num.isna() & s.notna()
    if todo.any():
        s = s.where(~s.str.fullmatch(r"[（(]\s*(?:空|跳过)\s*[）)]").fillna(False), None)
        todo = num.isna() & s.notna()
        parts = s[todo].str.extract(_DUR_RE, flags=re.IGNORECASE).astype(float)
        ok = parts.notna().any(axis=1)
        secs = (parts[0].fillna(0) * 3600 + parts[1].fillna(0) * 60 + parts[2].fillna(0)).where(ok, np.nan)
        num[todo] = secs
    return num


def is_qualtrics_import_row(cells) -> bool:
    """True for the third header row of a Qualtrics CSV export (``{"ImportId": ...}``)."""
    return any('"importid"' in c.replace(" ", "").casefold() or c.strip().startswith('{"ImportId') for c in cells)
