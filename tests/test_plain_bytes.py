"""The plain-CSV reader's byte checks (analysis/io/plain.py): the translation table of the
bytes a plain body may hold, and the line and comma counts."""
from __future__ import annotations

import numpy as np
import pytest

from avoid_survey.analysis.io import plain


def test_only_digits_commas_minus_and_line_ends_are_plain(tmp_path):
    allowed = set(b"0123456789,-\r\n")
    assert [b for b in range(256) if plain._NOT_PLAIN[b] == 0] == sorted(allowed)
    p = tmp_path / "d.csv"
    for b in range(256):
        if b in allowed:
            continue
        p.write_bytes(b"a,b\n1,2\n3," + bytes([b]) + b"4\n")
        assert plain.read_plain_numeric(p) is None, b


@pytest.mark.parametrize("body,rows", [(b"1,2\n3,4\n", 2), (b"1,2\n3,4", 2), (b"1,2\r\n3,4\r\n", 2), (b"7,8", 1)])
def test_rows_counted_with_or_without_the_last_line_end(tmp_path, body, rows):
    p = tmp_path / "d.csv"
    p.write_bytes(b"a,b\n" + body)
    fr = plain.read_plain_numeric(p)
    assert fr.values.shape == (rows, 2)
    p.write_bytes(b"a,b\n" + body.replace(b",", b",,", 1))         # one comma too many
    assert plain.read_plain_numeric(p, empty_ok=True) is None
    np.testing.assert_array_equal(fr.values[0], [1, 2] if rows == 2 else [7, 8])
