"""The load test's report (bench/load.py) reads locust's CSV statistics by column name."""

from bench.load import parse_stats, table

STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,/meetings/[id],120,0,41,55.2,12,900,20000,1.0,0.0,41,50,60,70,90,120,300,450,900,900,900
PUT,/api/v1/meetings/[id]/minutes [PUT] 409 race,3,0,80,80,70,90,300,0.03,0.0,80,80,80,90,90,90,90,90,90,90,90
,Aggregated,123,1,42,56.0,12,900,19500,1.03,0.01,42,51,61,71,91,130,310,460,900,900,900
"""


def test_rows_per_request_and_the_total_last(tmp_path):
    path = tmp_path / "run_stats.csv"
    path.write_text(STATS)
    rows = parse_stats(path)
    assert [r["name"] for r in rows] == ["GET /meetings/[id]", "PUT /api/v1/meetings/[id]/minutes [PUT] 409 race",
                                         "Aggregated"]
    assert rows[0] == {"name": "GET /meetings/[id]", "requests": 120, "failures": 0, "rps": 1.0,
                         "p50": "41", "p95": "120", "p99": "450"}
    assert rows[-1]["failures"] == 1
    assert "| **all** | 123 | 1.0 | 42 | 130 | 460 | 1 |" in table(rows)
