"""The line limit (`csv_checks.read_checked`) against a plain reading of the same bytes,
over random files, limits and chunk sizes: it refuses a file exactly when a line is
longer than the limit, and names the first such line as the csv module numbers it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.imports import csv_checks

# how the csv module's lines end
_END = re.compile(rb"\r\n|\r|\n")


def first_long_line(data: bytes, limit: int) -> int | None:
    """The number of the first line longer than `limit`, read the plain way."""
    start, number = 0, 1
    for m in _END.finditer(data):
        if m.start() - start > limit:  # the line without its end
            return number
        start, number = m.end(), number + 1
    return number if len(data) - start > limit else None


@settings(max_examples=300, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 40), max_size=25),
    ending=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    last_ended=st.booleans(),
    limit=st.integers(1, 30),
    chunk=st.integers(1, 64),
)
def test_the_first_long_line_is_found_whatever_the_chunks(
    lengths: list[int], ending: bytes, last_ended: bool, limit: int, chunk: int
) -> None:
    data = ending.join(b"x" * n for n in lengths) + (ending if last_ended and lengths else b"")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(csv_checks, "CHUNK", chunk)
            expected = first_long_line(data, limit)
            if expected is None:
                assert csv_checks.read_checked(path, limit) == data
            else:
                with pytest.raises(csv_checks.LongLineError) as err:
                    csv_checks.read_checked(path, limit)
                assert err.value.line == expected
