"""Group commit: landing batches written and fsynced on one worker thread, one batch at a time.

The receiver's event loop must never wait for a disk.  Once per loop tick it detaches what its sessions
appended (:meth:`envplan.lake.landing.LandingLog.take_batch`) and hands it here; the worker thread writes
it with one ``write`` and one ``fsync`` and rotates the file when due, then the result comes back to the
loop's thread, where the replies of that batch may go out.  While a batch is being synced the loop keeps
reading, and everything that arrives meanwhile forms the next batch, handed over as soon as the previous
one completes: one fsync per batch however many frames it holds.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Callable

from envplan.lake.landing import Batch, LandingWriter

# Runs a callable on the owner's thread (asyncio: loop.call_soon_threadsafe); may raise RuntimeError once
# the owner is gone (a closed loop), and then the result is not delivered.
Deliver = Callable[[Callable[[], None]], object]
# Called on the owner's thread with the records written, or the exception that kept them from the disk.
Done = Callable[[int | BaseException], None]


class BatchWriter:
    """Writes :class:`~envplan.lake.landing.Batch` es of ``landing`` on its own thread, in order; the owner
    submits the next only after the previous one is done (:attr:`busy`)."""

    def __init__(self, landing: LandingWriter, *, deliver: Deliver) -> None:
        self.landing = landing
        self.deliver = deliver
        self.busy = False
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing")

    def submit(self, batch: Batch, done: Done) -> None:
        """Write ``batch`` (it may be empty: a file due by age is then rotated all the same) and call
        ``done`` on the owner's thread when the batch is durable or has failed."""
        if self.busy:
            raise RuntimeError("a landing batch is being written already")
        self.busy = True
        future = self._executor.submit(self.landing.write_batch_and_rotate, batch)

        def finished(completed: concurrent.futures.Future[int]) -> None:  # on the worker thread
            def back() -> None:  # on the owner's thread
                self.busy = False
                if completed.cancelled():
                    done(concurrent.futures.CancelledError())
                    return
                error = completed.exception()
                done(error if error is not None else completed.result())

            with contextlib.suppress(RuntimeError):  # the owner's loop is closed: nothing can be sent
                self.deliver(back)

        future.add_done_callback(finished)

    def write_now(self, batch: Batch) -> int:
        """Write a last batch on the calling thread (at shutdown, when no batch is in flight)."""
        return self.landing.write_batch(batch)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
