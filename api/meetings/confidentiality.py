"""What is for a group's members only as the records stand now, as SQL conditions.

Confidentiality is read, never copied: a record on an agenda item is members-only while the item
is confidential, so a change to the item takes effect at once on every read. The reads of
documents (documents.py) and the search filter (indexing.py) share these conditions.
"""

from sqlalchemy import exists, or_

from api.meetings.models import AgendaItem, Document


def on_confidential_item(item_id_column):
    """True when the agenda item `item_id_column` points at is confidential now (false when none)."""
    return exists().where(AgendaItem.id == item_id_column, AgendaItem.confidential.is_(True))


def document_members_only():
    """True when a document is for its group's members only, because it was marked confidential
    or because its agenda item is confidential now. Every read of documents filters on this one
    expression, so a change to an item takes effect at once, with nothing to keep in step."""
    return or_(Document.confidential.is_(True), on_confidential_item(Document.agenda_item_id))
