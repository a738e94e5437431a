"""Stopping under uvicorn (`ata serve`): drain first, then stop.

On SIGTERM uvicorn at once stops accepting connections and gives the requests in flight
timeout_graceful_shutdown (ATA_SHUTDOWN_GRACE_SECONDS) to finish. A load balancer that has not
noticed yet would meanwhile send new requests to a closed port. So the first SIGTERM only marks
the application as stopping: /readyz answers 503 while every other request is served as before,
and uvicorn's own handler is called ATA_SHUTDOWN_DRAIN_SECONDS later. Installed by the
application's lifespan, in each server process, so it works the same under `--workers N` (the
supervisor passes SIGTERM on to every worker). SIGINT (Ctrl+C) still stops at once.
"""

import logging
import signal
import threading
from collections.abc import Callable

log = logging.getLogger("ata")


def drain_on_sigterm(stopping: threading.Event, drain_seconds: float) -> Callable[[], None] | None:
    """Put the drain in front of the server's SIGTERM handler. Returns what takes it away again,
    or None when there is no server handler to put it in front of: an application run by a test
    client (not in the main thread, where signals are taken) or outside a server."""
    if threading.current_thread() is not threading.main_thread():
        return None
    server_handler = signal.getsignal(signal.SIGTERM)
    if not callable(server_handler):
        return None  # the default action, or ignored: no server is listening for SIGTERM

    def on_sigterm(signum, _frame) -> None:
        if stopping.is_set():
            return  # already draining (a second SIGTERM, e.g. sent to the whole process group)
        stopping.set()
        log.info("SIGTERM: /readyz answers 503 for %ss while requests are still served, then stopping",
                 drain_seconds)
        # Not a sleep here: a signal handler must return at once. uvicorn's handler only sets flags
        # that its main loop polls, so calling it from this timer's thread is safe.
        timer = threading.Timer(drain_seconds, server_handler, args=(signum, None))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, on_sigterm)

    def remove() -> None:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, server_handler)

    return remove
