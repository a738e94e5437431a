"""`published` on indicators: unpublished unless an admin says otherwise, changed by admins only
(API), audited like every other change of an indicator's details, and shown to every reader."""

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.indicators.models import Indicator
from tests.factories import INACTIVE

URL = "/api/v1/indicators"


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _stored(session, indicator_id: str = "93014") -> Indicator:
    session.expire_all()
    return session.get(Indicator, indicator_id)


def test_a_new_indicator_is_not_published_unless_asked(client, session):
    made = client.post(URL, json=INACTIVE)
    assert made.status_code == 201 and made.json()["published"] is False
    assert client.get(f"{URL}/93014").json()["published"] is False
    assert _stored(session).published is False
    assert _events(session, "indicator.create")[0].after["published"] is False


def test_an_admin_creates_a_published_indicator_and_it_is_audited(client, session):
    made = client.post(URL, json={**INACTIVE, "published": True})
    assert made.status_code == 201 and made.json()["published"] is True
    assert client.get(f"{URL}/93014").json()["published"] is True
    assert [i["published"] for i in client.get(URL).json()["items"]] == [True]
    assert _stored(session).published is True
    (event,) = _events(session, "indicator.create")
    assert event.entity_id == "93014" and event.after["published"] is True


def test_an_admin_publishes_and_withdraws_and_each_change_is_audited(client, session):
    assert client.post(URL, json=INACTIVE).status_code == 201
    published = client.patch(f"{URL}/93014", json={"published": True})
    assert published.status_code == 200 and published.json()["published"] is True
    assert published.json()["name"] == INACTIVE["name"]  # nothing else changed
    assert _stored(session).published is True
    withdrawn = client.patch(f"{URL}/93014", json={"published": False},
                             headers={"If-Match": published.headers["ETag"]})
    assert withdrawn.status_code == 200 and withdrawn.json()["published"] is False
    first, second = _events(session, "indicator.update")
    # What changed is recorded, before and after (and nothing that did not change).
    assert (first.before["published"], first.after["published"]) == (False, True)
    assert (second.before["published"], second.after["published"]) == (True, False)
    assert "name" not in first.after and "name" not in second.after
    assert first.actor_kind == "user" and first.entity_id == "93014"


@pytest.mark.parametrize("body", [{"published": None}, {"published": "perhaps"}, {"published": [True]}])
def test_a_published_that_is_not_a_boolean_is_422_and_changes_nothing(client, session, body):
    assert client.post(URL, json={**INACTIVE, "published": True}).status_code == 201
    refused = client.patch(f"{URL}/93014", json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any(e["loc"][-1] == "published" or "published" in e["msg"] for e in refused.json()["errors"])
    assert _stored(session).published is True
    assert _events(session, "indicator.update") == []
    assert client.post(URL, json={**INACTIVE, "id": "93015", **body}).status_code == 422
    assert _stored(session, "93015") is None


def test_people_and_partner_clients_who_are_not_admins_cannot_publish(app, client, indicator, partner, person,
                                                                       session):
    _, account = person("not.an.admin@example.org")
    member = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    reader, _ = partner
    for headers in (member, reader):
        # They may read it (published shown, false), not change it.
        assert client.get(f"{URL}/93014", headers=headers).json()["published"] is False
        refused = client.patch(f"{URL}/93014", json={"published": True}, headers=headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "published" not in refused.text
        created = client.post(URL, json={**INACTIVE, "id": "93099", "published": True}, headers=headers)
        assert created.status_code == 403
    assert _stored(session).published is False and _stored(session, "93099") is None
    assert _events(session, "indicator.update") == []


def test_the_openapi_document_describes_published(app):
    schemas = app.openapi()["components"]["schemas"]
    assert "published" in schemas["IndicatorRead"]["required"]
    assert schemas["IndicatorCreate"]["properties"]["published"]["default"] is False
    assert "/fingertips/api/" in schemas["IndicatorRead"]["properties"]["published"]["description"]
    assert "published" in schemas["IndicatorUpdate"]["properties"]
