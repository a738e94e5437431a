"""The demo data set: its shape, the contract sign-ins, and loading it twice."""

import csv
import io
from collections import Counter

import pytest
from sqlalchemy import func, or_
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth.models import PartnerClient, UserAccount
from api.core.types import today
from api.demo import data, indicators
from api.demo.loader import load_demo
from api.indicators.models import Indicator, IndicatorValue
from api.outcomes.models import PlaceUpdate
from api.registry import service
from api.registry.models import Group, Membership, Organisation, Stakeholder
from api.registry.schemas import GROUP_KINDS, ROLES, SECTORS, SYSTEM_LEADER_LEVELS

PASSWORD = "demo-password-1"
FICTIONAL_DOMAINS = ("@example.org", "@example.com", "@example.net")


@pytest.fixture
def demo(session):
    summary = load_demo(session, password=PASSWORD)
    session.commit()
    return summary


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _current_seats(session):
    is_open = or_(Membership.end_date.is_(None), Membership.end_date > today())
    stmt = select(Membership, Group, Stakeholder).join(Group).join(Stakeholder).where(is_open)
    return session.exec(stmt).all()


def test_data_is_well_formed():
    assert {o.sector for o in data.ORGANISATIONS} <= set(SECTORS)
    assert {g.kind for g in data.GROUPS} <= set(GROUP_KINDS)
    assert {m.role for m in data.MEMBERSHIPS} <= set(ROLES)
    assert {p.system_leader_level for p in data.PEOPLE} <= {*SYSTEM_LEADER_LEVELS, None}
    assert len({p.email for p in data.PEOPLE}) == len(data.PEOPLE)
    assert len({o.name.lower() for o in data.ORGANISATIONS}) == len(data.ORGANISATIONS)
    assert len({service.slugify(g.name) for g in data.GROUPS}) == len(data.GROUPS)
    seats = Counter(m.email for m in data.MEMBERSHIPS)
    assert set(seats) == {p.email for p in data.PEOPLE} and set(seats.values()) <= {1, 2, 3}
    assert all(m.end_date is None or m.start_date < m.end_date < today() for m in data.MEMBERSHIPS)
    assert all(2022 <= m.start_date.year <= 2025 for m in data.MEMBERSHIPS)
    assert any(m.end_date is not None for m in data.MEMBERSHIPS)


def test_data_is_the_same_every_time():
    assert data.build() == (data.PEOPLE, data.MEMBERSHIPS)


def test_counts_and_structure(session, demo):
    assert demo == {"organisations": len(data.ORGANISATIONS), "groups": len(data.GROUPS),
                    "stakeholders": len(data.PEOPLE), "memberships": len(data.MEMBERSHIPS),
                    "accounts": 3, "clients": 1, "meetings": 3, "pilots": 8, "place_updates": 54,
                    "indicator_values": len(indicators.REPORTED_ROWS) + 10 * 7 * 3}
    assert _count(session, Organisation) >= 70
    assert _count(session, Stakeholder) >= 130
    groups = {g.code: g for g in session.exec(select(Group))}
    places = [g for g in groups.values() if g.kind == "place"]
    assert len(places) == 9 and len({g.place_code for g in places}) == 9
    board = groups["ATA"]
    assert board.kind == "board" and board.parent_id == groups["PHB"].id
    assert groups["PHB"].parent_id == groups["HCP"].id and groups["HCP"].parent_id is None
    under_board = [g for g in groups.values() if g.parent_id == board.id and g.kind in ("thematic", "working")]
    assert sorted(g.code for g in under_board) == ["AT", "AW", "EWG", "LWW", "PWG", "SW", "WF"]
    assert all(g.parent_id == board.id for g in places)


def test_every_group_has_exactly_one_current_chair(session, demo):
    chairs = Counter(g.code for m, g, _ in _current_seats(session) if m.role == "chair")
    assert chairs == {g.code: 1 for g in data.GROUPS}
    ended = session.exec(select(func.count()).where(Membership.end_date.is_not(None))).one()
    assert ended > 0


def test_contract_people(session, demo):
    seats = _current_seats(session)
    chair = [(m.role, g.code) for m, g, p in seats if p.email == "chair@example.org"]
    assert ("chair", "AW") in chair
    member = [(m.role, g.kind) for m, g, p in seats if p.email == "member@example.org"]
    all_member_seats = session.exec(
        select(Membership).join(Stakeholder).where(Stakeholder.email == "member@example.org")).all()
    assert member == [("member", "thematic")] * 2 and len(all_member_seats) == 2
    accounts = {u.email: u for u in session.exec(select(UserAccount))}
    assert accounts["admin@example.org"].is_admin
    assert not accounts["chair@example.org"].is_admin and not accounts["member@example.org"].is_admin
    assert all(u.stakeholder_id is not None for u in accounts.values())
    client = session.exec(select(PartnerClient).where(PartnerClient.client_id == "demo-partner")).one()
    assert client.scopes == "indicators:read outcomes:read"


def test_people_are_fictional(session, demo):
    emails = session.exec(select(Stakeholder.email)).all() + session.exec(select(UserAccount.email)).all()
    assert emails and all(e.endswith(FICTIONAL_DOMAINS) for e in emails)


def test_loading_twice_changes_nothing(session, demo, count_queries):
    counts = [_count(session, m) for m in (Organisation, Stakeholder, Group, Membership, UserAccount,
                                           PartnerClient, AuditEvent)]
    # Every write was audited (the indicator values as one import).
    assert counts[-1] >= sum(demo.values()) - demo["indicator_values"] + 1
    with count_queries() as counter:
        again = load_demo(session, password=PASSWORD)
        session.commit()
    assert again == dict.fromkeys(demo, 0)
    assert counter.count <= 14  # the existing keys are read once per kind, not once per row
    assert [_count(session, m) for m in (Organisation, Stakeholder, Group, Membership, UserAccount,
                                         PartnerClient, AuditEvent)] == counts


def test_demo_sign_ins_work(anonymous_client, demo):
    r = anonymous_client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "chair@example.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    me = anonymous_client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert "chair" in me.json()["roles"]
    r = anonymous_client.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": "demo-partner", "client_secret": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "indicators:read outcomes:read"
    wrong = anonymous_client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "admin@example.org", "password": "not-the-password"})
    assert wrong.status_code == 400


def test_demo_meetings_show_a_complete_record(anonymous_client, demo):
    token = anonymous_client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": data.MEMBER_EMAIL, "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    hcp = next(g for g in anonymous_client.get("/api/v1/groups?kind=partnership", headers=headers).json()["items"]
               if g["code"] == "HCP")
    meetings = anonymous_client.get(f"/api/v1/groups/{hcp['id']}/meetings", headers=headers).json()["items"]
    january = next(m for m in meetings if m["starts_at"].startswith("2024-01-16"))
    items = anonymous_client.get(f"/api/v1/meetings/{january['id']}/agenda-items", headers=headers).json()["items"]
    assert [i["ref"] for i in items] == [f"HCP/01/24/{n:02d}" for n in range(1, 10)]
    minutes = anonymous_client.get(f"/api/v1/meetings/{january['id']}/minutes", headers=headers).json()
    assert minutes["status"] == "approved" and len(minutes["items"]) == 9  # approved in March: public
    statuses = {a["status"] for a in anonymous_client.get(f"/api/v1/meetings/{january['id']}/attendance",
                                                          headers=headers).json()["items"]}
    assert statuses == {"present", "in_attendance", "apologies", "absent"}
    log = anonymous_client.get(f"/api/v1/actions?group_id={hcp['id']}", headers=headers).json()["items"]
    assert [(a["number"], a["status"], a["overdue"]) for a in log] == [(35, "open", True), (40, "closed", False),
                                                                       (42, "closed", False)]


def test_indicators_hold_the_reported_figures_and_mark_the_rest_synthetic(session, demo):
    reported = {(v.indicator_id, v.breakdown): (v.value, v.note) for v in session.exec(
        select(IndicatorValue).where(IndicatorValue.area_code == "E54000008"))}
    assert reported[("93015", "Persons")][0] == 27.7  # inactive adults, Fingertips' id
    assert reported[("AL-ADULT-FAIRLY-ACTIVE", "Persons")][0] == 11.5
    assert reported[("93014", "Persons")][0] == 60.6  # active adults
    assert reported[("AL-CYP-ACTIVITY", "Less active")][0] == 98_500
    assert all("Active Lives" in note for _, note in reported.values())
    others = session.exec(select(IndicatorValue).where(IndicatorValue.area_code != "E54000008")).all()
    assert others and all(v.note.startswith("Synthetic demo value") for v in others)
    assert min(v.period for v in others) == "2016/17"
    # The importer computed the intervals from count and denominator.
    assert all(v.lower_ci < v.value < v.upper_ci for v in others)
    beacons = {i.id: i for i in session.exec(select(Indicator).where(Indicator.id.like("BEACON-%")))}
    assert beacons["BEACON-18"].name == "Activity levels" and beacons["BEACON-19"].name == "Percentage of loneliness"
    assert all(b.frequency == "Yearly" and b.geography == "LA" and b.breakdowns == ["IMD"] for b in beacons.values())


def test_the_open_data_door_serves_the_demos_published_indicators_without_credentials(anonymous_client, demo):
    published = {i["IndicatorId"] for i in anonymous_client.get("/fingertips/api/available_data").json()}
    assert published == {93014, 93015}
    response = anonymous_client.get("/fingertips/api/all_data/csv/by_indicator_id",
                                    params={"indicator_ids": "93015", "child_area_type_id": 502})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    places = {row["Area Code"] for row in rows if row["Area Type"] != "England"}
    assert places == set(indicators.PLACES)
    assert {row["Indicator Name"] for row in rows} == {"Adults who are inactive (under 30 minutes a week)"}
    # The unpublished ones stay hidden, as for an unknown id.
    assert anonymous_client.get("/fingertips/api/indicator_metadata/by_indicator_id",
                                params={"indicator_ids": "93016"}).status_code == 404


def test_place_updates_are_synthetic_and_count_towards_the_target(session, demo):
    updates = session.exec(select(PlaceUpdate)).all()
    assert len({u.place_code for u in updates}) == 9
    assert all(u.narrative.startswith("Synthetic demo update") for u in updates)
