"""Each person's choice, per kind of message: immediately, weekly digest, or never. Plain
functions over a Session; they flush, never commit."""

from collections.abc import Iterable, Mapping

from sqlmodel import Session, select

from api.audit import service as audit
from api.authz import Subject
from api.core.errors import InvalidInput
from api.mail.kinds import DEFAULT_FREQUENCY, FREQUENCIES, MAIL_KINDS, Frequency
from api.mail.models import MailPreference

DIGEST_KIND = "action_digest"


def frequencies(session: Session, stakeholder_ids: Iterable[int], kind: str) -> dict[int, Frequency]:
    """How each of these people wants `kind`, in one query (the kind's default where they have
    not chosen)."""
    wanted = set(stakeholder_ids)
    chosen = dict(session.exec(select(MailPreference.stakeholder_id, MailPreference.frequency).where(
        MailPreference.kind == kind, MailPreference.stakeholder_id.in_(wanted))).all()) if wanted else {}
    return {person: chosen.get(person, DEFAULT_FREQUENCY[kind]) for person in wanted}


def preferences_of(session: Session, stakeholder_id: int) -> dict[str, Frequency]:
    """Every kind a person may choose, in MAIL_KINDS order, with the default where they have not chosen."""
    chosen = dict(session.exec(select(MailPreference.kind, MailPreference.frequency).where(
        MailPreference.stakeholder_id == stakeholder_id)).all())
    return {kind: chosen.get(kind, DEFAULT_FREQUENCY[kind]) for kind in MAIL_KINDS}


def choices_for(kind: str) -> tuple[Frequency, ...]:
    """What a person may choose for `kind`: the action digest is weekly or nothing."""
    return tuple(f for f in FREQUENCIES if f != "immediately") if kind == DIGEST_KIND else FREQUENCIES


def check(choices: Mapping[str, object]) -> dict[str, Frequency]:
    """The choices if every kind and frequency is known; otherwise InvalidInput naming each wrong one."""
    errors = [{"loc": ["body", str(kind)], "msg": f"unknown kind of message; known: {', '.join(MAIL_KINDS)}",
               "type": "value_error"} for kind in choices if kind not in MAIL_KINDS]
    errors += [{"loc": ["body", kind], "msg": f"must be one of: {', '.join(choices_for(kind))}", "type": "value_error"}
               for kind, frequency in choices.items() if kind in MAIL_KINDS and frequency not in choices_for(kind)]
    if errors:
        raise InvalidInput("Choose how often for each kind of message: " + ", ".join(FREQUENCIES) + ".",
                           errors=errors)
    return dict(choices)  # type: ignore[arg-type]


def set_preferences(session: Session, stakeholder_id: int, choices: Mapping[str, object], *,
                    actor: Subject | None = None) -> dict[str, Frequency]:
    """Record the person's choices (kinds not named keep theirs); returns all of them afterwards.
    A choice equal to the default is stored too, so a later change of default does not change it.
    A change is audited against the person's record, with `actor` (the person, or the
    unsubscribe link) as who made it."""
    checked = check(choices)
    before = preferences_of(session, stakeholder_id)
    rows = {row.kind: row for row in session.exec(select(MailPreference).where(
        MailPreference.stakeholder_id == stakeholder_id, MailPreference.kind.in_(list(checked)))).all()}
    for kind, frequency in checked.items():
        row = rows.get(kind)
        if row is None:
            session.add(MailPreference(stakeholder_id=stakeholder_id, kind=kind, frequency=frequency))
        elif row.frequency != frequency:
            row.frequency = frequency
            session.add(row)
    session.flush()
    after = preferences_of(session, stakeholder_id)
    if actor is not None and after != before:
        audit.record(session, actor=actor, action="mail.preferences_change", entity_type="stakeholder",
                     entity_id=stakeholder_id, before=before, after=after)
    return after


def set_preference(session: Session, stakeholder_id: int, kind: str, frequency: str, *,
                   actor: Subject | None = None) -> dict[str, Frequency]:
    return set_preferences(session, stakeholder_id, {kind: frequency}, actor=actor)
