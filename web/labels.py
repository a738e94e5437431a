"""The words people read for every stored vocabulary, in one place.

The values themselves are defined once, as Literal types in each domain's schemas; each mapping
here gives every value of one of them its words (tests/unit/test_vocabularies.py fails if a value
is added to a type without words here, or words are left for a value that no longer exists).
"""

from typing import Literal

from api.audit.schemas import EntityType
from api.indicators.compare import Outcome
from api.indicators.trend import Trend
from api.mail.kinds import Frequency, MailKind
from api.meetings.schemas import (
    ActionSort,
    ActionStatus,
    AttendanceStatus,
    DeclarationKind,
    MeetingStatus,
    MinutesStatus,
    SeriesPattern,
    VenueKind,
)
from api.outcomes.schemas import ContributionKind, PilotStatus, PlanStatus
from api.registry.history import ChangeKind
from api.registry.schemas import GroupKind, Role, Sector, SystemLeaderLevel
from api.search.models import SearchKind

ROLE_LABELS: dict[Role, str] = {
    "chair": "Chair", "vice_chair": "Vice chair", "secretary": "Secretary", "member": "Member", "observer": "Observer",
}
GROUP_KIND_LABELS: dict[GroupKind, str] = {
    "board": "Board", "thematic": "Thematic group", "working": "Working group", "place": "Place group",
    "partnership": "Partnership",
}
SECTOR_LABELS: dict[Sector, str] = {
    "public": "Public sector", "health_care": "Health and care", "education": "Education", "sport": "Sport",
    "leisure": "Leisure", "vcfse": "Voluntary, community and social enterprise", "private": "Private sector",
    "community": "Community", "academic": "Academic",
}
SYSTEM_LEADER_LABELS: dict[SystemLeaderLevel, str] = {
    "subregional_champion": "Subregional champion", "local_champion": "Local champion", "ambassador": "Ambassador",
}
ACTION_STATUS_LABELS: dict[ActionStatus, str] = {"open": "Open", "closed": "Closed"}
ACTION_SORT_LABELS: dict[ActionSort, str] = {
    "group": "Group and number", "due": "Due date, soonest first", "newest": "Newest first",
}
# The action log's "whose actions" filter: a choice of the page, not stored anywhere.
OwnerFilter = Literal["all", "me"]
ACTION_OWNER_LABELS: dict[OwnerFilter, str] = {"all": "Anyone", "me": "Me"}
MEETING_STATUS_LABELS: dict[MeetingStatus, str] = {"scheduled": "Scheduled", "held": "Held", "cancelled": "Cancelled"}
# Said after "the minutes are ...": a reader needs to know whether a draft may still change.
MINUTES_STATUS_LABELS: dict[MinutesStatus, str] = {
    "draft": "a draft, not yet approved", "approved": "approved", "locked": "approved and locked",
}
PILOT_STATUS_LABELS: dict[PilotStatus, str] = {
    "testing": "Testing", "learning": "Learning", "scaling": "Scaling", "closed": "Closed",
}
CONTRIBUTION_KIND_LABELS: dict[ContributionKind, str] = {
    "event": "Event", "programme": "Programme", "training": "Training", "campaign": "Campaign",
    "partnership": "Partnership", "advocacy": "Advocacy", "research": "Research", "other": "Other",
}
ATTENDANCE_LABELS: dict[AttendanceStatus, str] = {
    "present": "Present", "in_attendance": "In attendance", "apologies": "Apologies", "absent": "Absent",
}
MEMBERSHIP_CHANGE_LABELS: dict[ChangeKind, str] = {
    "added": "Added", "ended": "Ended", "role_changed": "Role changed", "changed": "Changed", "removed": "Removed",
}
# None: a Place that has posted no update yet has no plan status at all.
PLAN_LABELS: dict[PlanStatus | None, str] = {
    "not_started": "Not started", "in_development": "In development", "signed_off": "Signed off",
    "launched": "Launched", None: "No update yet",
}
OUTCOME_LABELS: dict[Outcome, str] = {
    "better": "Better", "similar": "Similar", "worse": "Worse", "not_compared": "Not compared", "higher": "Higher",
    "lower": "Lower",
}
TREND_LABELS: dict[Trend, str] = {
    "increasing": "Increasing", "decreasing": "Decreasing", "no_significant_change": "No significant change",
    "cannot_be_calculated": "Cannot be calculated",
}
AUDIT_TYPE_LABELS: dict[EntityType, str] = {
    "action": "Action", "action_update": "Action update", "agenda_item": "Agenda item", "attendance": "Attendance",
    "client": "Partner client", "contribution": "Contribution", "decision": "Decision", "document": "Document",
    "group": "Group", "indicator": "Indicator", "indicator_value": "Indicator values", "meeting": "Meeting",
    "membership": "Membership", "minutes": "Minutes", "organisation": "Organisation", "pilot": "Pilot",
    "place_update": "Place update", "route": "Refused request", "stakeholder": "Person", "user": "Account",
    "meeting_guest": "Guest at a meeting", "declaration": "Declaration of interest",
    "meeting_series": "Series of meetings",
    "mail_message": "Email message",
}

# Declarations of interest: NHS England's categories.
DECLARATION_KIND_LABELS: dict[DeclarationKind, str] = {
    "financial": "Financial interest", "non_financial_professional": "Non-financial professional interest",
    "non_financial_personal": "Non-financial personal interest", "indirect": "Indirect interest",
}

# Scheduling meetings: where a meeting is held, and how a series repeats.
VENUE_KIND_LABELS: dict[VenueKind, str] = {
    "in_person": "In person", "online": "Online", "hybrid": "Hybrid, in person and online",
}
SERIES_PATTERN_LABELS: dict[SeriesPattern, str] = {
    "weekly": "By the week, for example every 4 weeks on Tuesday",
    "monthly": "By the month, for example the third Tuesday of every month",
}

# Email settings (web/routes/account_mail.py): each kind of message, what it is, and how often.
MAIL_KIND_LABELS: dict[MailKind, str] = {
    "meeting": "Meetings", "papers": "Meeting papers", "action_assigned": "Actions given to you",
    "action_digest": "Your actions due soon or overdue", "minutes_approved": "Approved minutes",
}
MAIL_KIND_HINTS: dict[MailKind, str] = {
    "meeting": "When a meeting of one of your groups is arranged, moved or cancelled. Each comes with a "
               "calendar invitation that updates the event in your calendar.",
    "papers": "When the papers for a meeting of one of your groups are published or updated (at most one "
              "email a day for each meeting).",
    "action_assigned": "When someone gives you an action.",
    "action_digest": "A list of your open actions that are due within 7 days or overdue. This only comes "
                     "in the weekly digest, sent on Monday mornings.",
    "minutes_approved": "When the minutes of a meeting of one of your groups are approved.",
}
# Said after "Stop emails about ...".
MAIL_KIND_ABOUT: dict[MailKind, str] = {
    "meeting": "meetings", "papers": "meeting papers", "action_assigned": "actions given to you",
    "action_digest": "your actions due soon or overdue", "minutes_approved": "approved minutes",
}
FREQUENCY_LABELS: dict[Frequency, str] = {
    "immediately": "Immediately", "weekly": "In a weekly digest", "never": "Never",
}

# The audit log (web/routes/admin_audit.py): what each recorded action is called. Actions not
# listed here read "<type of record> added / changed / removed" (AUDIT_VERBS); some changes are
# named by what changed (AUDIT_CHANGE_LABELS: membership ended, account disabled, action closed).
AUDIT_ACTION_LABELS: dict[str, str] = {
    "minutes.create": "Minutes written", "minutes.update": "Minutes changed", "minutes.amend": "Minutes amended",
    "minutes.approve": "Minutes approved", "minutes.lock": "Minutes locked",
    "user.create": "Account created", "user.update": "Account changed", "user.password_reset": "Password reset",
    "user.password_change": "Password changed", "user.invitation_sent": "Invitation sent",
    "user.invitation_accepted": "Invitation accepted", "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed", "auth.password_change_failed": "Password change failed",
    "auth.client_token": "Partner client signed in", "auth.client_failed": "Partner client sign-in failed",
    "authz.denied": "Request refused", "privacy.export": "Personal data downloaded",
    "stakeholder.anonymise": "Person anonymised", "stakeholder.create": "Person added",
    "stakeholder.update": "Person's details changed", "stakeholder.delete": "Person removed",
    "indicators.import": "Indicator values imported", "attendance.replace": "Attendance recorded",
    "agenda.reorder": "Agenda reordered", "agenda.renumber": "Agenda renumbered",
    "group.standing_items": "Standing items changed", "calendar.reset": "Calendar link reset",
    "mail.retry": "Email sent again", "mail.preferences_change": "Email settings changed",
    "client.create": "Partner client added", "client.revoke": "Partner client revoked",
    "meeting_series.create": "Series of meetings arranged", "action_update.create": "Action update posted",
    # Not recorded as such: a membership's update named by what changed (web/routes/admin_audit.py).
    "membership.end": "Membership ended", "membership.role": "Role changed",
}
AUDIT_VERBS: dict[str, str] = {"create": "added", "update": "changed", "delete": "removed"}
# (action, field, value it became): the change that names the event.
AUDIT_CHANGE_LABELS: dict[tuple[str, str, object], str] = {
    ("user.update", "is_active", False): "Account disabled", ("user.update", "is_active", True): "Account enabled",
    ("action.update", "status", "closed"): "Action closed", ("action.update", "status", "open"): "Action reopened",
    ("meeting.update", "status", "cancelled"): "Meeting cancelled",
    ("meeting.update", "status", "held"): "Meeting marked as held",
    ("pilot.update", "status", "closed"): "Pilot closed",
}
# Changed fields as people know them (others: the field's name in words, "closed_on" -> "Closed on").
AUDIT_FIELD_LABELS: dict[str, str] = {
    "stakeholder_id": "Person", "group_id": "Group", "organisation_id": "Organisation",
    "on_behalf_of_id": "On behalf of", "owner_id": "Owner", "lead_id": "Lead", "meeting_id": "Meeting",
    "agenda_item_id": "Agenda item", "approved_at_meeting_id": "Approved at the meeting of",
    "parent_id": "Parent group", "place_code": "Place", "place_codes": "Places", "partner_ids": "Partners",
    "series_id": "Series",
    "start_date": "Start date", "end_date": "End date", "due_date": "Due date", "closed_on": "Closed on",
    "starts_at": "Starts", "ends_at": "Ends", "approved_at": "Approved on", "is_active": "Account active",
    "is_admin": "Admin", "must_change_password": "Must change password", "email": "Email address",
    "job_title": "Job title", "text": "Text", "name": "Name", "title": "Title", "role": "Role",
    "status": "Status", "plan_status": "Plan status", "people_reached": "People reached",
    "people_more_active": "People more active", "contributed_on": "Date", "sector": "Sector", "kind": "Kind",
    "venue_kind": "How it is held", "cancel_reason": "Reason for cancelling", "online_link": "Online link",
    "texts": "Minutes text", "items": "Entries", "rows_written": "Rows written", "system_leader_level":
    "System Leader level",
}

# Search results: what each kind of hit is.
SEARCH_KIND_LABELS: dict[SearchKind, str] = {
    "minutes": "Minutes", "decision": "Decision", "action": "Action", "document": "Document",
    "person": "Person", "organisation": "Organisation", "pilot": "Pilot", "place_update": "Place update",
}
