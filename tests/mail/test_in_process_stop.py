"""Stopping `ata serve` (the application's lifespan ending, after uvicorn's graceful shutdown):
its in-process sender finishes the message in hand first, so that it is recorded as sent, not
left to be sent again by another sender once its lease runs out."""

import threading
import time

from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import make_settings
from tests.mail.test_sender import _rows, _write


def test_stopping_the_application_finishes_the_message_in_hand(engine, session, database_url, smtp_server):
    in_hand = threading.Event()
    collect = smtp_server.handler.handle_DATA

    async def slow_to_accept(server, smtp_session, envelope):
        in_hand.set()  # the message is with the server, whose answer is still to come
        return await collect(server, smtp_session, envelope)

    smtp_server.handler.handle_DATA = slow_to_accept  # read by each new SMTP connection
    smtp_server.handler.delay = 1.0
    _write(session)
    app = create_app(make_settings(database_url, smtp_url=smtp_server.url, mail_poll_seconds=0.1),
                     mail_worker=True)
    try:
        with TestClient(app):
            assert in_hand.wait(10)
            stopping = time.monotonic()
        # The application stopped only once the server had accepted the message and it was recorded.
        assert time.monotonic() - stopping > 0.5
        assert len(smtp_server.received) == 1
        [row] = _rows(engine)
        assert row.status == "sent" and row.claimed_by is None
    finally:
        app.state.engine.dispose()
