"""Demo Place updates: each Place's quarterly report towards the 150,000 target. Every figure is
synthetic and the narrative says so."""

import random

from sqlmodel import Session, select

from api.authz import SYSTEM_SUBJECT
from api.outcomes import service
from api.outcomes.models import PlaceUpdate
from api.registry.models import Area

QUARTERS = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
PLAN_STEPS = ["not_started", "in_development", "in_development", "signed_off", "launched", "launched"]


def load(session: Session) -> int:
    existing = set(session.exec(select(PlaceUpdate.place_code, PlaceUpdate.period)).all())
    places = session.exec(select(Area).where(Area.kind == "place").order_by(Area.gss_code)).all()
    rng = random.Random(150_000)
    created = 0
    for place in places:
        lag = rng.randint(0, 2)  # Places started their plans at different times
        for n, period in enumerate(QUARTERS):
            reached = rng.randint(600, 1_800) * (n + 1)
            more_active = int(reached * rng.uniform(0.25, 0.45))
            if (place.gss_code, period) in existing:
                continue
            service.add_update(session, actor=SYSTEM_SUBJECT, place=place, data={
                "period": period, "plan_status": PLAN_STEPS[max(0, n - lag)],
                "narrative": f"Synthetic demo update for {place.name}, {period}: not a real report.",
                "people_reached": reached, "people_more_active": more_active})
            created += 1
    return created
