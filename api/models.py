"""Every domain's tables, imported so that Alembic and the tests see one metadata."""

from api.audit.models import AuditEvent
from api.auth.models import PartnerClient, UserAccount, WebSession
from api.core.types import metadata
from api.registry.models import Area, Group, Membership, Organisation, Stakeholder

__all__ = [
    "Area", "AuditEvent", "Group", "Membership", "Organisation", "PartnerClient", "Stakeholder", "UserAccount",
    "WebSession", "metadata",
]
