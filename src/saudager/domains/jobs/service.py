"""Long work run in background threads of this process, each job with its progress.

The web starts a shop's sync or a file import here and answers at once; its pages and API
poll the job by id. Jobs live in the memory of the process that runs them (the web server is
one process): a restart forgets them, while what they wrote stays in the database, and the
record of each sync run is kept there too (``tx.sync_runs``). The periodic sync of every shop
is the job queue's (``saudager worker``), not this.

At most one job of a kind per shop runs when it is started as ``exclusive``: starting another
then answers with the one queued or running.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from saudager.core.errors import InputValidationError, NotFoundError, SaudagerError
from saudager.domains.jobs.types import Job, JobKind, JobState, Progress, StageValue

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: The work of a job: called in a worker thread with the job's progress reporter.
Work = Callable[[Progress], object]


class JobsService:
    """Runs jobs on ``workers`` threads (more wait, ``queued``) and keeps the ``keep`` newest
    finished jobs of each shop for their pages to show."""

    def __init__(self, clock: Clock, *, workers: int = 2, keep: int = 20) -> None:
        if workers < 1 or keep < 1:
            raise ValueError("workers and keep must be at least 1")
        self._clock = clock
        self._keep = keep
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saudager-job")
        self._changed = threading.Condition()
        self._jobs: dict[str, Job] = {}  # in the order they were started
        self._closed = False

    def start(
        self,
        shop_id: int,
        kind: JobKind,
        work: Work,
        *,
        user_id: int | None = None,
        exclusive: bool = False,
    ) -> tuple[Job, bool]:
        """Queue ``work``; returns the job and ``True``. With ``exclusive``, while a job of the
        same kind and shop is queued or running, returns that one and ``False`` instead."""
        with self._changed:
            if self._closed:
                raise SaudagerError("the server is stopping: try again in a moment")
            if exclusive:
                running = self._active(shop_id, kind)
                if running is not None:
                    return running, False
            job = Job(
                id=secrets.token_urlsafe(12), shop_id=shop_id, kind=kind,
                state=JobState.QUEUED, created_at=self._clock(), user_id=user_id,
            )  # fmt: skip
            self._jobs[job.id] = job
            self._forget_old(shop_id)
        self._pool.submit(self._run, job.id, work)
        return job, True

    def get(self, shop_id: int, job_id: str) -> Job:
        """The job as it is now; ``NotFoundError`` for an unknown job or one of another shop."""
        with self._changed:
            job = self._jobs.get(job_id)
        if job is None or job.shop_id != shop_id:
            raise NotFoundError(f"no job {job_id!r} in shop {shop_id}")
        return job

    def active(self, shop_id: int, kind: JobKind) -> Job | None:
        """The shop's queued or running job of ``kind``, if any."""
        with self._changed:
            return self._active(shop_id, kind)

    def recent(self, shop_id: int, kind: JobKind | None = None) -> list[Job]:
        """The shop's jobs still remembered, newest first."""
        with self._changed:
            jobs = [j for j in self._jobs.values() if j.shop_id == shop_id]
        return [j for j in reversed(jobs) if kind is None or j.kind == kind]

    def wait(self, shop_id: int, job_id: str, timeout: float | None) -> Job:
        """The job once finished, or as it is after ``timeout`` seconds (``None``: no limit)."""
        with self._changed:
            self._changed.wait_for(
                lambda: (job := self._jobs.get(job_id)) is None or job.finished, timeout
            )
        return self.get(shop_id, job_id)

    def close(self) -> None:
        """Stop taking jobs, drop the queued ones and wait for the running ones."""
        with self._changed:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ running

    def _run(self, job_id: str, work: Work) -> None:
        self._update(job_id, state=JobState.RUNNING, stage="running", started_at=self._clock())

        def progress(done: int, total: int, stage: str, **values: StageValue) -> None:
            self._update(job_id, done=done, total=total, stage=stage, values=dict(values))

        try:
            result = work(progress)
        except InputValidationError as exc:
            self._finish(job_id, error=str(exc), problems=tuple(exc.problems))
        except SaudagerError as exc:
            self._finish(job_id, error=str(exc))
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._finish(job_id, error=f"unexpected error: {type(exc).__name__}")
        else:
            with self._changed:
                total = self._jobs[job_id].total
            self._finish(job_id, result=result, done=total)

    def _finish(self, job_id: str, **changes: Any) -> None:
        state = JobState.FAILED if "error" in changes else JobState.SUCCEEDED
        self._update(job_id, state=state, stage=state.value, finished_at=self._clock(), **changes)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._changed:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, **changes)
            self._changed.notify_all()

    def _active(self, shop_id: int, kind: JobKind) -> Job | None:
        for job in self._jobs.values():
            if job.shop_id == shop_id and job.kind == kind and not job.finished:
                return job
        return None

    def _forget_old(self, shop_id: int) -> None:
        finished = [j.id for j in self._jobs.values() if j.shop_id == shop_id and j.finished]
        for job_id in finished[: max(0, len(finished) - self._keep)]:
            del self._jobs[job_id]
