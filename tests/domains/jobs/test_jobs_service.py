"""The background jobs: states, progress, how a failure is kept, one exclusive job per shop and
kind, other shops' jobs unknown, old jobs forgotten."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from saudager.core.errors import (
    FieldProblem,
    InputValidationError,
    NotFoundError,
    SaudagerError,
)
from saudager.domains.jobs.service import JobsService
from saudager.domains.jobs.types import JobKind, JobState, Progress

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def jobs() -> Iterator[JobsService]:
    service = JobsService(lambda: NOW, workers=2, keep=3)
    yield service
    service.close()


def test_a_job_reports_progress_then_its_result(jobs: JobsService) -> None:
    release, reported = threading.Event(), threading.Event()

    def work(progress: Progress) -> str:
        progress(1, 4, "step", name="a.csv")
        reported.set()
        release.wait(10)
        progress(3, 4, "step", name="b.csv")
        return "result"

    job, started = jobs.start(7, JobKind.IMPORT, work, user_id=5)
    assert started and job.state in (JobState.QUEUED, JobState.RUNNING)
    assert reported.wait(10)
    now = jobs.get(7, job.id)
    assert (now.state, now.done, now.total, now.stage, dict(now.values)) == (
        JobState.RUNNING, 1, 4, "step", {"name": "a.csv"},
    )  # fmt: skip
    assert now.started_at == NOW and now.finished_at is None and not now.finished
    release.set()
    done = jobs.wait(7, job.id, timeout=10)
    assert (done.state, done.done, done.total, done.result, done.user_id) == (
        JobState.SUCCEEDED, 4, 4, "result", 5,
    )  # fmt: skip
    assert done.finished_at == NOW and done.error is None


def test_failures_keep_the_message_and_the_problems(jobs: JobsService) -> None:
    problem = FieldProblem("orders.csv", 3, "total_price", "expected tenge")

    def invalid(progress: Progress) -> None:
        raise InputValidationError([problem])

    def refused(progress: Progress) -> None:
        raise SaudagerError("no token")

    def broken(progress: Progress) -> None:
        raise ZeroDivisionError("secret detail")

    ids = [jobs.start(1, JobKind.IMPORT, work)[0].id for work in (invalid, refused, broken)]
    ended = [jobs.wait(1, job_id, timeout=10) for job_id in ids]
    assert all(job.state == JobState.FAILED for job in ended)
    assert ended[0].problems == (problem,) and "orders.csv, row 3" in (ended[0].error or "")
    assert (ended[1].error, ended[1].problems) == ("no token", ())
    assert ended[2].error == "unexpected error: ZeroDivisionError"  # no detail shown


def test_an_exclusive_job_runs_once_per_shop_and_kind(jobs: JobsService) -> None:
    release = threading.Event()
    first, started = jobs.start(1, JobKind.SYNC, lambda p: release.wait(10), exclusive=True)
    second, started_again = jobs.start(1, JobKind.SYNC, lambda p: None, exclusive=True)
    other_shop, started_other = jobs.start(2, JobKind.SYNC, lambda p: None, exclusive=True)
    assert (started, started_again, started_other) == (True, False, True)
    assert second.id == first.id and other_shop.id != first.id
    assert jobs.active(1, JobKind.SYNC) is not None and jobs.active(1, JobKind.IMPORT) is None
    release.set()
    jobs.wait(1, first.id, timeout=10)
    assert jobs.active(1, JobKind.SYNC) is None
    assert jobs.start(1, JobKind.SYNC, lambda p: None, exclusive=True)[1]


def test_jobs_of_another_shop_or_unknown_are_not_found(jobs: JobsService) -> None:
    job, _ = jobs.start(1, JobKind.IMPORT, lambda p: None)
    jobs.wait(1, job.id, timeout=10)
    with pytest.raises(NotFoundError):
        jobs.get(2, job.id)
    with pytest.raises(NotFoundError):
        jobs.get(1, "nope")


def test_only_the_newest_finished_jobs_of_a_shop_are_kept(jobs: JobsService) -> None:
    ids = []
    for _ in range(5):
        job, _ = jobs.start(1, JobKind.IMPORT, lambda p: None)
        jobs.wait(1, job.id, timeout=10)
        ids.append(job.id)
    kept = [job.id for job in jobs.recent(1)]
    # Pruned when a job starts: the newest three finished before the last one, and it.
    assert kept == list(reversed(ids))[:4]
    with pytest.raises(NotFoundError):
        jobs.get(1, ids[0])


def test_a_closed_service_takes_no_more_jobs() -> None:
    jobs = JobsService(lambda: NOW)
    jobs.close()
    with pytest.raises(SaudagerError):
        jobs.start(1, JobKind.SYNC, lambda p: None)
