"""A background job as it is shown: its state, how far it got and how it ended."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from saudager.core.errors import FieldProblem


class JobKind(StrEnum):
    SYNC = "sync"
    IMPORT = "import"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: A value a progress report carries: counts and names, for the entry point to word.
StageValue = int | str


@dataclass(frozen=True, slots=True)
class Job:
    """One job of one shop, as of the moment it was read (a job never changes in place).

    ``done`` of ``total`` steps are finished (``total`` 0: not known yet); ``stage`` names what
    it is doing (``queued``, then what the work reports, then ``succeeded`` or ``failed``) and
    ``values`` the counts and names that go with it, for the entry point to word in the
    reader's language. A failed job has ``error`` (the message of the error) and, for a file
    import with bad rows, ``problems``; a succeeded one has the work's ``result``.
    """

    id: str
    shop_id: int
    kind: JobKind
    state: JobState
    created_at: datetime
    user_id: int | None = None
    done: int = 0
    total: int = 0
    stage: str = "queued"
    values: Mapping[str, StageValue] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    problems: tuple[FieldProblem, ...] = ()
    result: object | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)


class Progress(Protocol):
    """What the work of a job calls to say how far it got."""

    def __call__(self, done: int, total: int, stage: str, **values: StageValue) -> None: ...
