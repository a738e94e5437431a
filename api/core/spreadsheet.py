"""CSV the service writes, every cell safe to open in a spreadsheet.

Writers go through `CsvChunks`, never `csv.writer` directly: it passes every cell of every row
through `safe_cell`, so that no writer can forget a column (a group's name once went out raw).
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

# OWASP's CSV injection list, and the full-width forms some spreadsheets also read as operators.
_FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted as text (CSV injection); None is empty.
    Only text is touched: a negative number must stay a number."""
    if isinstance(value, str):
        return "'" + value if value[:1] in _FORMULA_STARTS else value
    return "" if value is None else value


class CsvChunks:
    """Rows written as CSV (CRLF line ends) into a buffer that `take` empties, for streaming."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in values])

    def rows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows([safe_cell(value) for value in row] for row in rows)

    def take(self) -> str:
        """What has been written since the last take."""
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text
