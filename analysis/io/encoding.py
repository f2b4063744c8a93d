"""Bytes to text: is a file text at all, which encoding (UTF-8, with or without BOM, or
GB18030, which covers GBK), and which delimiter a CSV uses."""
from __future__ import annotations

import csv

from ..core.errors import AvoidSurveyError

__all__ = ["check_bytes", "detect_encoding", "decode_text", "sniff_delimiter", "ENCODINGS"]

ENCODINGS = ("utf-8-sig", "gb18030")


def check_bytes(raw: bytes, file) -> None:
    if not raw[:65536].strip() and not raw.strip():
        raise AvoidSurveyError("the file is empty", file=file)
    pos = raw.find(b"\x00")
    if pos >= 0:
        raise AvoidSurveyError(f"not a text file: NUL byte at byte offset {pos}", file=file)


def detect_encoding(raw: bytes, file=None) -> str:
    """'utf-8', 'utf-8-sig' (BOM) or 'gb18030' (covers GBK); AvoidSurveyError otherwise.

    The error names the byte offset of the first byte that is neither UTF-8 nor GB18030.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        raw.decode("utf-8")
        return "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        utf_err = exc
    if not bom:
        try:
            raw.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError as exc:
            gb_err = exc
        off = max(utf_err.start, gb_err.start)
    else:
        off = utf_err.start
    raise AvoidSurveyError(f"cannot decode the file as UTF-8 or GB18030/GBK: invalid byte 0x{raw[off]:02x} at "
                           f"byte offset {off}; save it as 'CSV UTF-8'", file=file)


def decode_text(raw: bytes, file) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030/GBK."""
    check_bytes(raw, file)
    enc = detect_encoding(raw, file)
    return raw.decode(enc), ("gb18030" if enc == "gb18030" else "utf-8")


def sniff_delimiter(text: str) -> str:
    sample = text[:64_000]
    lines = sample.splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in ",;\t|"}
    try:
        d = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t|").delimiter
        if counts.get(d, 0) or not any(counts.values()):
            return d
    except csv.Error:
        pass
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


