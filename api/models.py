"""Every domain's tables, imported so that Alembic and the tests see one metadata."""

from api.audit.models import AuditEvent
from api.auth.models import PartnerClient, UserAccount, WebSession
from api.core.types import metadata
from api.indicators.models import Indicator, IndicatorValue
from api.mail.models import MailPreference, OutboxMessage
from api.meetings.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Decision,
    Document,
    Meeting,
    MinutesVersion,
    MinuteText,
)
from api.outcomes.models import Contribution, Pilot, PilotStatusChange, PlaceUpdate
from api.registry.models import Area, Group, Membership, Organisation, Stakeholder
from api.search.models import SearchDocument

__all__ = [
    "Action",
    "ActionUpdate",
    "AgendaItem",
    "Area",
    "Attendance",
    "AuditEvent",
    "Contribution",
    "Decision",
    "Document",
    "Group",
    "Indicator",
    "IndicatorValue",
    "MailPreference",
    "Meeting",
    "Membership",
    "MinuteText",
    "MinutesVersion",
    "Organisation",
    "OutboxMessage",
    "PartnerClient",
    "Pilot",
    "PilotStatusChange",
    "PlaceUpdate",
    "SearchDocument",
    "Stakeholder",
    "UserAccount",
    "WebSession",
    "metadata",
]
