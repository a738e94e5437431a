"""Demo indicators: the Active Lives headline figures the partnership reports (real, for the
subregion), per-Place and England series from 2016/17 that are synthetic and say so in their
note, and the Beacon indicators 18 and 19 as metadata.

The inactive and active adults carry Fingertips' own ids for those measures (93015 and 93014,
from the same survey) and are published: the open data door (/fingertips/api) serves them, so
that fingertips_py and fingertipsR can be tried against the demo as docs/partners.md shows.

Values go through the same CSV importer partners use, so they are validated and their
confidence intervals computed (Wilson) exactly as an uploaded file's would be.
"""

import csv
import io
import random

from sqlalchemy import func
from sqlmodel import Session, select

from api.authz import SYSTEM_SUBJECT
from api.indicators import importer
from api.indicators import service as indicators
from api.indicators.models import Indicator, IndicatorValue

SUBREGION, ENGLAND = "E54000008", "E92000001"
PLACES = {  # GSS code: how much more inactive than England, in points (a synthetic gradient)
    "E06000049": -2.0, "E06000050": -1.0, "E06000007": 0.5, "E06000006": 3.0, "E08000011": 5.0,
    "E08000012": 4.0, "E08000014": 1.0, "E08000013": 3.5, "E08000015": 2.0,
}
PERIODS = ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
SYNTHETIC = "Synthetic demo value (not a published statistic)"
REPORTED = "Sport England Active Lives Adult Survey, November 2022 release, as reported to the HCP Board"
ACTIVE_LIVES = "Sport England Active Lives Adult Survey"
ADULTS = "Adults aged 16 and over responding to the Active Lives Adult Survey (weighted)"

INACTIVE, ACTIVE = "93015", "93014"
INDICATORS = [
    {"id": INACTIVE, "published": True, "name": "Adults who are inactive (under 30 minutes a week)", "unit": "percent",
     "polarity": "lower_is_better", "theme": "Physical activity", "frequency": "Twice a year",
     "geography": "Local authority", "breakdowns": ["Persons"], "source": ACTIVE_LIVES, "ci_method": "wilson",
     "definition": "Percentage of adults doing less than 30 minutes of moderate intensity physical activity a week.",
     "numerator_definition": "Adults doing under 30 minutes a week", "denominator_definition": ADULTS},
    {"id": "AL-ADULT-FAIRLY-ACTIVE", "name": "Adults who are fairly active (30 to 149 minutes a week)",
     "unit": "percent", "polarity": "no_judgement", "theme": "Physical activity", "frequency": "Twice a year",
     "geography": "Local authority", "breakdowns": ["Persons"], "source": ACTIVE_LIVES, "ci_method": "wilson",
     "definition": "Percentage of adults doing 30 to 149 minutes of moderate intensity physical activity a week.",
     "numerator_definition": "Adults doing 30 to 149 minutes a week", "denominator_definition": ADULTS},
    {"id": ACTIVE, "published": True, "name": "Adults who are active (150 minutes or more a week)", "unit": "percent",
     "polarity": "higher_is_better", "theme": "Physical activity", "frequency": "Twice a year",
     "geography": "Local authority", "breakdowns": ["Persons"], "source": ACTIVE_LIVES, "ci_method": "wilson",
     "definition": "Percentage of adults doing at least 150 minutes of moderate intensity physical activity a week.",
     "numerator_definition": "Adults doing 150 minutes or more a week", "denominator_definition": ADULTS},
    {"id": "AL-CYP-ACTIVITY", "name": "Children and young people by activity level", "unit": "count",
     "polarity": "no_judgement", "theme": "Physical activity", "frequency": "Yearly (academic year)",
     "geography": "Subregion", "breakdowns": ["Less active", "Fairly active", "Active"], "multiplier": 1,
     "source": "Sport England Active Lives Children and Young People Survey", "ci_method": "given",
     "definition": "Estimated number of children and young people who are less active (under an average of 30 "
                   "minutes a day), fairly active (30 to 59) and active (60 or more)."},
    {"id": "BEACON-18", "name": "Activity levels", "unit": "percent", "polarity": "higher_is_better",
     "theme": "Strengthen the role and impact of ill health prevention", "frequency": "Yearly", "geography": "LA",
     "breakdowns": ["IMD"], "source": "Active Lives Survey", "ci_method": "wilson",
     "definition": "All Together Fairer Beacon Indicator 18."},
    {"id": "BEACON-19", "name": "Percentage of loneliness", "unit": "percent", "polarity": "lower_is_better",
     "theme": "Strengthen the role and impact of ill health prevention", "frequency": "Yearly", "geography": "LA",
     "breakdowns": ["IMD"], "source": "Active Lives Survey", "ci_method": "wilson",
     "definition": "All Together Fairer Beacon Indicator 19."},
]

# The figures the partnership's papers give for Cheshire and Merseyside (November 2022 release).
REPORTED_ROWS = [
    (INACTIVE, SUBREGION, "2021/22", "Persons", 27.7),
    ("AL-ADULT-FAIRLY-ACTIVE", SUBREGION, "2021/22", "Persons", 11.5),
    (ACTIVE, SUBREGION, "2021/22", "Persons", 60.6),
    ("AL-CYP-ACTIVITY", SUBREGION, "2021/22", "Less active", 98_500),
    ("AL-CYP-ACTIVITY", SUBREGION, "2021/22", "Fairly active", 54_100),
    ("AL-CYP-ACTIVITY", SUBREGION, "2021/22", "Active", 145_400),
]
COLUMNS = ["indicator_id", "area_code", "period", "breakdown", "value", "count", "denominator", "note"]


def synthetic_rows(rng: random.Random) -> list[list]:
    """Adult activity levels for England and each Place: counts out of a survey sample, from
    which the importer computes the values and intervals. Inactivity eases slowly over time."""
    rows = []
    for code, offset in [(ENGLAND, 0.0), *PLACES.items()]:
        sample = 200_000 if code == ENGLAND else rng.randint(480, 1_100)
        for n, period in enumerate(PERIODS):
            inactive = (26.0 + offset - 0.35 * n + rng.uniform(-1.2, 1.2)) / 100
            fairly = (12.0 + rng.uniform(-1.0, 1.0)) / 100
            counts = {INACTIVE: round(sample * inactive), "AL-ADULT-FAIRLY-ACTIVE": round(sample * fairly)}
            counts[ACTIVE] = sample - sum(counts.values())
            rows += [[indicator_id, code, period, "Persons", "", count, sample, SYNTHETIC]
                     for indicator_id, count in counts.items()]
    return rows


def load(session: Session) -> int:
    """Create the indicators and values that are missing; the number of values written."""
    existing = set(session.exec(select(Indicator.id)).all())
    for spec in INDICATORS:
        if spec["id"] not in existing:
            indicators.create_indicator(session, actor=SYSTEM_SUBJECT, data=spec)
    demo_ids = [spec["id"] for spec in INDICATORS]
    if session.exec(select(func.count(IndicatorValue.id)).where(IndicatorValue.indicator_id.in_(demo_ids))).one():
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([i, a, p, b, v, "", "", REPORTED] for i, a, p, b, v in REPORTED_ROWS)
    writer.writerows(synthetic_rows(random.Random(2022)))
    return importer.import_csv(session, actor=SYSTEM_SUBJECT, data=buffer.getvalue().encode())["rows_written"]
