"""Personal data in a response file: which columns hold it.

Detected by header (姓名, 手机号码, 身份证号, 邮箱, 来自IP, name, phone, e-mail ...), by
platform metadata (问卷星 来自IP, Qualtrics IPAddress / RecipientEmail ...), by instrument
variables marked ``pii``, and by values: IP addresses, Chinese mobile numbers (1[3-9] + 9
digits), 18-digit resident ID numbers with a valid check digit (GB 11643), e-mail
addresses and Chinese personal names (2 to 4 Han characters starting with a common
surname, mostly distinct, not place or unit names). Item, attention-check and coded
columns of the instrument are never personal data.

Every reading entry drops these columns unless ``keep_pii`` (one note says which), so no
command writes them into any output; ``validate`` lists them as ``pii-column`` findings.
"""
from __future__ import annotations

import re

__all__ = ["pii_columns", "valid_id_numbers", "pii_kind_of_values", "header_kind"]

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


def pii_kind_of_values(sample):
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
    if _looks_like_names(s.dropna().iloc[:500]):
        return "personal name"
    return None



# the most common Chinese surnames (single characters), for the name check
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
                "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
                "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
                "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯")
_PLACE_END = tuple("镇乡县区市村省州旗街局委办科所站院校队组部厅处社场厂司会馆室")
_HAN_NAME = r"^[\u4e00-\u9fff]{2,4}$"       # compiled on first use: a value check, not a header one


def _looks_like_names(sample) -> bool:
    """Most values are 2-4 Han characters starting with a common surname, not place or unit
    names, and mostly distinct (a county or township column repeats a few names)."""
    vals = [str(v).strip() for v in sample if str(v).strip()]
    if len(vals) < 3:
        return False
    ok = [v for v in vals if re.match(_HAN_NAME, v) and not v.endswith(_PLACE_END)
          and (v[0] in _SURNAMES or v.startswith(_COMPOUND))]
    return len(ok) >= 0.8 * len(vals) and len(set(ok)) >= 0.6 * len(ok)


# header fragments that name personal data wherever they occur ("6、您的姓名", "联系电话（手机）")
_CONTAINS = (("姓名", "name"), ("手机", "phone"), ("电话", "phone"), ("联系方式", "phone"), ("身份证", "ID-card number"),
             ("邮箱", "e-mail"), ("电子邮件", "e-mail"), ("email", "e-mail"), ("phonenumber", "phone"),
             ("ipaddress", "IP address"), ("ip地址", "IP address"), ("家庭住址", "address"))


def header_kind(name):
    """Kind of personal data a header names, or None."""
    from .textnorm import norm_header

    raw = re.sub(r"[\W_]+", "", str(name)).casefold()
    n = norm_header(name)
    kind = _PII_HEADER_MAP.get(raw) or _PII_HEADER_MAP.get(n)
    if kind is None:
        kind = next((k for frag, k in _CONTAINS if frag in n), None)
    return kind


def pii_columns(df, instrument=None, platform=None, skip=()) -> dict:
    """{column: kind} for the columns of ``df`` that look like personal data.

    ``platform``: the reader's {column: (kind, what, platform)} of metadata columns;
    ``skip``: columns never reported (items and attention checks of the instrument).
    """
    found = {}
    var_pii = {v.id for v in instrument.variables if v.pii} if instrument is not None else set()
    skip = set(skip)
    if instrument is not None:
        skip |= {i.id for i in instrument.items} | {a.id for a in instrument.attention_checks}
    resp = instrument.responses() if instrument is not None else {}
    platform = platform or {}
    for c in df.columns:
        if c in skip:
            continue
        fmt = resp.get(c)
        if fmt is not None and fmt.type in _CODE_TYPES and c not in var_pii:
            continue
        kind = None
        if c in var_pii:
            kind = "marked pii in the instrument"
        plat = platform.get(c)
        if kind is None and plat is not None and plat[0] == "pii":
            kind = plat[1]
        if kind is None:
            kind = header_kind(c)
            if kind == "name" and fmt is not None and fmt.type in ("id",):
                kind = None
        if kind is None:
            kind = _pii_in_values(df[c])
        if kind is not None:
            found[c] = kind
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
    return pii_kind_of_values(sample.astype(str)) if len(sample) else None
