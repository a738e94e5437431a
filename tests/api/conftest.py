"""Fixtures shared by the indicator and partner-API tests."""

import pytest
from sqlalchemy import insert

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE, PLACES


@pytest.fixture
def indicator(client, engine):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    rows = [{"indicator_id": "93014", "area_code": code, "period": period, "breakdown": "Persons",
             "value": 20 + n + i, "lower_ci": 18 + n + i, "upper_ci": 22 + n + i, "count": 200 + n,
             "denominator": 1000, "note": "=HYPERLINK(\"http://evil.example\")" if n == 0 else ""}
            for n, code in enumerate(PLACES) for i, period in enumerate(["2021/22", "2022/23"])]
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), rows)
    return INACTIVE


@pytest.fixture
def partner(client, session):
    _, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Council Intelligence",
                                           scopes="indicators:read")
    _, other = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Registry Only",
                                          scopes="registry:read")
    session.commit()

    def token(client_id, client_secret):
        r = client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                    "client_secret": client_secret})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return token("council-intelligence", secret), token("registry-only", other)
