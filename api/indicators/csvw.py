"""CSV on the Web (W3C CSVW) metadata describing the indicator-data CSV, so that partners'
tools can read the columns' types and meanings without guessing."""

from typing import Any

from api.indicators.schemas import COLUMN_NOTES, VALUE_COLUMNS

MEDIA_TYPE = "application/csvm+json"
KEY = ["indicator_id", "area_code", "period", "breakdown"]
REQUIRED = {*KEY, "area_name", "updated_at"}


def metadata(csv_url: str, title: str) -> dict[str, Any]:
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_url,
        "dc:title": title,
        "dc:publisher": "All Together Active (Cheshire and Merseyside)",
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"], "doubleQuote": True},
        "tableSchema": {
            "columns": [{"name": column, "titles": column, "datatype": COLUMN_NOTES[column][0],
                         "dc:description": COLUMN_NOTES[column][1], "required": column in REQUIRED}
                        for column in VALUE_COLUMNS],
            "primaryKey": KEY,
        },
    }
