"""Demo pilots: the ones the partnership's papers name, with the figures they report."""

from sqlmodel import Session, select

from api.authz import SYSTEM_SUBJECT
from api.outcomes import service
from api.outcomes.models import Pilot
from api.registry.models import Organisation

LIVERPOOL, KNOWSLEY, WARRINGTON, HALTON = "E08000012", "E08000011", "E06000007", "E06000006"
CHESHIRE_WEST, WIRRAL = "E06000050", "E08000015"
ALL_PLACES = ["E06000049", CHESHIRE_WEST, WARRINGTON, HALTON, KNOWSLEY, LIVERPOOL, "E08000014", "E08000013", WIRRAL]

# (name, pathway, status, places, partner organisation names, summary, measures)
PILOTS = (
    ("Alcohol support referral pathway", "alcohol support", "scaling", [LIVERPOOL, KNOWSLEY, WARRINGTON],
     ["Liverpool City Council", "Knowsley Council", "Warrington Borough Council"],
     "Physical activity built into alcohol support, with referral to local activity offers.",
     [{"name": "Previously inactive patients now regularly active", "value": 69, "unit": "%"}]),
    ("Active Hospitals", "secondary care", "learning", [WARRINGTON, HALTON],
     ["Warrington and Halton Teaching Hospitals NHS Foundation Trust"],
     "Moving more on the wards to keep inpatients strong and steady.",
     [{"name": "Reduction in inpatient falls", "value": 22, "unit": "%"}]),
    ("Healthy Lifestyle Coaches in SMI community rehabilitation", "mental health", "testing",
     [CHESHIRE_WEST, WIRRAL], ["Cheshire and Wirral Partnership NHS Foundation Trust"],
     "Coaches supporting people with serious mental illness in community rehabilitation to be active.",
     [{"name": "Healthy lifestyle coaches in post", "value": 3, "unit": "coaches"}]),
    ("MECC for Physical Activity training", "workforce", "scaling", ALL_PLACES, [],
     "Making Every Contact Count training so that staff can talk about physical activity.",
     [{"name": "Participants", "value": 56, "unit": "people"},
      {"name": "Increase in confidence to talk about physical activity", "value": 43, "unit": "%"},
      {"name": "Trainers upskilled", "value": 30, "unit": "people"}]),
    ("Walking Therapies", "talking therapies", "learning", [WARRINGTON], [],
     "A 12-week walking programme delivered with NHS Talking Therapies.",
     [{"name": "Programme length", "value": 12, "unit": "weeks"}]),
    ("Community Connector", "community", "testing", [], [], "Connecting people to activity in their community.", []),
    ("Prehabilitation", "secondary care", "testing", [], [], "Getting people fitter before surgery.", []),
    ("Falls prevention collaborative", "falls prevention", "testing", [], [],
     "Partners working together on strength and balance to prevent falls.", []),
)


def load(session: Session) -> int:
    existing = set(session.exec(select(Pilot.name)).all())
    if all(spec[0] in existing for spec in PILOTS):
        return 0
    organisations = dict(session.exec(select(Organisation.name, Organisation.id)).all())
    created = 0
    for name, pathway, status, places, partners, summary, measures in PILOTS:
        if name in existing:
            continue
        service.create_pilot(session, actor=SYSTEM_SUBJECT, data={
            "name": name, "pathway": pathway, "status": status, "place_codes": places, "summary": summary,
            "partner_ids": [organisations[p] for p in partners if p in organisations],
            "measures": [{"baseline": None, "period": "", **m} for m in measures]})
        created += 1
    return created
