"""Personal data: ``pii-column`` (warning) for IP addresses, Chinese mobile numbers
(1[3-9] + 9 digits), 18-digit resident ID numbers with a valid check digit (GB 11643),
e-mail addresses, name-like headers (姓名, name...), platform PII columns and variables
marked ``pii``. ``--clean`` drops these columns unless ``--keep-pii``."""
from __future__ import annotations

import re

from .collect import Collector

__all__ = ["check_privacy", "valid_id_numbers"]

_CODE_TYPES = ("likert", "categorical", "ordinal", "boolean")

_PII_HEADERS = {
    "name": ["姓名", "名字", "真实姓名", "name", "fullname", "firstname", "lastname", "surname", "联系人",
             "respondentname", "受访者姓名"],
    "phone": ["手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "phone", "mobile", "telephone",
              "phonenumber", "tel", "cellphone"],
    "e-mail": ["email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"],
    "ID-card number": ["身份证", "身份证号", "身份证号码", "idcard", "idnumber", "identitycard"],
    "IP address": ["ip", "ip地址", "ipaddress", "来自ip"],
    "address": ["住址", "家庭住址", "地址", "address", "homeaddress"],
}
_PII_HEADER_MAP = {}
for _kind, _names in _PII_HEADERS.items():
    for _n in _names:
        _PII_HEADER_MAP[re.sub(r"[\W_]+", "", _n).casefold()] = _kind

_RE_IP = r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.])"
_RE_PHONE = r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)"
_RE_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
_RE_IDCARD = r"(?<!\d)(\d{17}[\dXx])(?![\dXx])"
_ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def valid_id_numbers(s):
    """Boolean Series: 18-character strings with a valid GB 11643 check digit (vectorised)."""
    import numpy as np
    import pandas as pd

    s = s.astype("string").str.upper()
    ok = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(bool)
    out = np.zeros(len(s), bool)
    if ok.any():
        sub = s[ok].to_numpy(dtype=object).astype("U18")
        b = np.frombuffer(np.ascontiguousarray(sub).tobytes(), dtype=np.uint32).reshape(-1, 18)
        digits = b[:, :17].astype(np.int64) - 48
        tot = (digits * np.array(_ID_W)).sum(axis=1) % 11
        expect = np.array([ord(c) for c in _ID_CHECK])[tot]
        out[np.flatnonzero(ok)] = b[:, 17] == expect
    return pd.Series(out, index=s.index)


def _pii_kind_of_values(sample):
    """Kind of personal data in a sample of cell texts, or None."""
    s = sample.astype("string")
    if s.str.contains(_RE_EMAIL, regex=True).fillna(False).any():
        return "e-mail"
    ids = s.str.extract(_RE_IDCARD, expand=False).dropna()
    if len(ids) and valid_id_numbers(ids).any():
        return "ID-card number"
    if s.str.contains(_RE_PHONE, regex=True).fillna(False).any():
        return "phone number"
    if s.str.contains(_RE_IP, regex=True).fillna(False).any():
        return "IP address"
    return None


def check_privacy(col: Collector, ld, instrument, items) -> list:
    """The columns that look like personal data (a finding each)."""
    df = ld.frame
    found = []
    var_pii = {v.id for v in instrument.variables if v.pii} if instrument is not None else set()
    check_ids = {a.id for a in instrument.attention_checks} if instrument is not None else set()
    resp = instrument.responses() if instrument is not None else {}
    for c in df.columns:
        if c in items or c in check_ids:
            continue
        fmt = resp.get(c)
        if fmt is not None and fmt.type in _CODE_TYPES and c not in var_pii:
            continue
        kind = None
        if c in var_pii:
            kind = "marked pii in the instrument"
        plat = ld.platform.get(c)
        if kind is None and plat is not None and plat[0] == "pii":
            kind = plat[1]
        if kind is None:
            kind = _PII_HEADER_MAP.get(re.sub(r"[\W_]+", "", str(c)).casefold())
            if kind == "name" and fmt is not None and fmt.type in ("id",):
                kind = None
        if kind is None:
            kind = _pii_in_values(df[c])
        if kind is not None:
            found.append(c)
            col.add("pii-column", column=c, kind=kind)
    return found


def _pii_in_values(s):
    """Kind of personal data in the first 2,000 values of a column, or None. Numbers
    count only when some have 10+ digits (phone or ID numbers stored as numbers)."""
    import pandas as pd

    if pd.api.types.is_float_dtype(s):
        nn = s.dropna()
        if not (len(nn) and (nn.abs() >= 1e10).any() and bool(((nn % 1) == 0).all())):
            return None
        s = nn.astype("int64")
    elif pd.api.types.is_integer_dtype(s):
        if not (s.abs() >= 10 ** 10).any():
            return None
    elif pd.api.types.is_bool_dtype(s):
        return None
    sample = s.dropna()
    if len(sample) > 2000:
        sample = sample.iloc[:2000]
    return _pii_kind_of_values(sample.astype(str)) if len(sample) else None
