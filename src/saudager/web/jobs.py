"""A shop's sync and file imports as background jobs of the web server, and how a job is shown.

The pages and the API start them here and answer at once; ``static/app.js`` follows a job
through ``GET /api/v1/shops/{id}/jobs/{job}`` (``{state, done, total, message, errors}``). The
jobs run in this process (``JobsService``): one sync per shop at a time, the files of an
import saved to a temporary folder that is removed when the import ends.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from saudager.core.errors import ConfigurationError, FieldProblem, InputValidationError
from saudager.domains.imports.types import ImportKind, ImportReport
from saudager.domains.jobs.types import Job, JobKind, JobState, Progress
from saudager.domains.orders.service import SyncProgress, SyncResult
from saudager.domains.shops.types import Shop
from saudager.web.i18n import Language, register, translate
from saudager.wiring import Services

register(
    {
        "job.queued": ("В очереди…", "Queued…"),
        "job.running": ("Запущено…", "Started…"),
        "job.sync.connecting": ("Подключение к Kaspi…", "Connecting to Kaspi…"),
        "job.sync.orders": (
            "Заказы {state}: окно {done} из {total} · прочитано {seen}, записано {written}",
            "Orders {state}: window {done} of {total} · read {seen}, written {written}",
        ),
        "job.sync.active": (
            "Обновление незавершённых заказов · прочитано {seen}, записано {written}",
            "Refreshing unfinished orders · read {seen}, written {written}",
        ),
        "job.import.reading": (
            "Чтение файла {number} из {files}: {file}",
            "Reading file {number} of {files}: {file}",
        ),
        "job.import.writing": (
            "Проверка и запись ({files} файл.)…",
            "Checking and writing ({files} file(s))…",
        ),
        "job.sync.succeeded": (
            "Готово: прочитано заказов {seen}, новых или изменённых {written}, отзывов {reviews}.",
            "Done: {seen} orders read, {written} new or changed, {reviews} reviews.",
        ),
        "job.import.succeeded": (
            "Готово: прочитано строк {rows}, записано записей {written}.",
            "Done: {rows} rows read, {written} records written.",
        ),
        "job.import.invalid": (
            "Найдено ошибок: {count}. Ничего не импортировано.",
            "{count} problem(s) found. Nothing was imported.",
        ),
        "job.failed": ("Ошибка: {error}", "Failed: {error}"),
        "job.unknown": (
            "Эта задача больше не известна серверу (он перезапускался?). Проверьте журнал.",
            "The server no longer knows this job (was it restarted?). Check the log.",
        ),
    }
)


class UploadTooLarge(InputValidationError):
    """The files of one upload add up to more than the ``web_max_upload_mb`` setting."""

    def __init__(self, limit_mb: int) -> None:
        self.limit_mb = limit_mb
        message = f"the upload is larger than {limit_mb} MB (setting web_max_upload_mb)"
        super().__init__([FieldProblem("upload", None, None, message)])


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: its name as the seller sent it and where it is saved."""

    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class Uploads:
    folder: Path
    files: tuple[Upload, ...]

    def shown(self, source: str) -> str:
        """A file's name in a message as the seller knows it, not the temporary path."""
        for upload in self.files:
            saved = str(upload.path)
            if source.startswith(saved):
                return upload.name + source[len(saved) :]
        return source

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_UNSAFE = re.compile(r"[^\w.\- ]+")
_CHUNK = 1 << 20


def safe_name(name: str | None, number: int) -> str:
    """The file name alone (no folders), with only letters, digits, ``.``, ``-``, ``_``
    and spaces; ``file-N`` when nothing is left."""
    base = Path((name or "").replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:120]
    return cleaned or f"file-{number}"


def save_uploads(files: Iterable[tuple[str | None, BinaryIO]], limit_mb: int) -> Uploads:
    """Copy uploaded files into a new temporary folder, each under its own name; raises
    ``UploadTooLarge`` (nothing kept) when together they exceed ``limit_mb`` megabytes."""
    folder = Path(tempfile.mkdtemp(prefix="saudager-import-"))
    limit, size = limit_mb * 1024 * 1024, 0
    saved: list[Upload] = []
    try:
        for number, (name, stream) in enumerate(files, start=1):
            shown = safe_name(name, number)
            path = folder / str(number) / shown
            path.parent.mkdir()
            with path.open("wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise UploadTooLarge(limit_mb)
                    out.write(chunk)
            saved.append(Upload(shown, path))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Uploads(folder, tuple(saved))


# ---------------------------------------------------------------------------------- starting


def start_sync(services: Services, shop: Shop, user_id: int | None) -> tuple[Job, bool]:
    """Sync the shop in the background; ``(job, False)`` when a sync of it is already queued
    or running (that job). Raises ``ConfigurationError`` for a shop without a Kaspi token."""
    if not shop.has_token:
        raise ConfigurationError(
            f"shop '{shop.name}' has no Kaspi API token: add one, or import files instead"
        )

    def work(progress: Progress) -> SyncResult:
        progress(0, 0, "sync.connecting")

        def on_progress(p: SyncProgress) -> None:
            stage = "sync.active" if p.state == "active" else "sync.orders"
            progress(
                p.windows_done, p.windows_total, stage,
                state=p.state, seen=p.orders_seen, written=p.orders_written,
            )  # fmt: skip

        with services.kaspi_client(shop) as client:
            return services.sync.sync(shop, client, datetime.now(UTC), on_progress)

    return services.jobs.start(shop.id, JobKind.SYNC, work, user_id=user_id, exclusive=True)


def start_import(
    services: Services, shop: Shop, uploads: Uploads, kind: str | None, user_id: int | None
) -> Job:
    """Import the saved files in the background (all or nothing, as ``saudager import``);
    messages and the report name the files as uploaded. The files are removed at the end."""
    paths = [upload.path for upload in uploads.files]

    def work(progress: Progress) -> ImportReport:
        def on_progress(done: int, total: int, source: str | None) -> None:
            if source is None:
                progress(done, total + 1, "import.writing", files=total)
            else:
                progress(
                    done, total + 1, "import.reading",
                    file=uploads.shown(source), number=done + 1, files=total,
                )  # fmt: skip

        try:
            report = services.imports.import_files(shop, paths, kind, on_progress=on_progress)
        except InputValidationError as exc:
            problems = [dataclasses.replace(p, file=uploads.shown(p.file)) for p in exc.problems]
            raise InputValidationError(problems) from None
        finally:
            uploads.remove()
        files = tuple(dataclasses.replace(f, source=uploads.shown(f.source)) for f in report.files)
        return dataclasses.replace(report, files=files)

    job, _ = services.jobs.start(shop.id, JobKind.IMPORT, work, user_id=user_id)
    return job


# ----------------------------------------------------------------------------------- showing


def job_message(job: Job, language: Language) -> str:
    """What the job is doing, or how it ended, in the reader's language."""
    if job.state == JobState.FAILED:
        if job.problems:
            return translate(language, "job.import.invalid", count=len(job.problems))
        return translate(language, "job.failed", error=job.error or "")
    if job.state == JobState.SUCCEEDED:
        if isinstance(job.result, SyncResult):
            r = job.result
            return translate(
                language, "job.sync.succeeded",
                seen=r.orders_seen, written=r.orders_written, reviews=r.reviews_seen,
            )  # fmt: skip
        if isinstance(job.result, ImportReport):
            return translate(
                language, "job.import.succeeded",
                rows=job.result.rows_read, written=job.result.written,
            )  # fmt: skip
    values = {"done": job.done, "total": job.total, **job.values}
    try:
        return translate(language, f"job.{job.stage}", **values)
    except KeyError:
        return job.stage


def problem_json(problem: FieldProblem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
    }


def problems_json(problems: Sequence[FieldProblem]) -> list[dict[str, Any]]:
    return [problem_json(p) for p in problems]


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "files": [
            {"file": f.source, "kind": f.kind.value, "rows_read": f.rows_read,
             "ignored_columns": list(f.ignored_columns)}
            for f in report.files
        ],
        "kinds": [
            {"kind": k.kind.value, "rows_read": k.rows_read, "written": k.written}
            for k in report.kinds
        ],
        "product_costs_written": report.product_costs_written,
        "rows_read": report.rows_read,
        "written": report.written,
    }  # fmt: skip


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def job_json(job: Job, language: Language) -> dict[str, Any]:
    """A job for the API and for ``static/app.js``: ``state``, ``done`` of ``total``, the
    ``message`` in the reader's language, and ``errors`` (each with file, row, column and
    message: an import's problems, or the one error of a failed sync)."""
    errors = problems_json(job.problems)
    if job.state == JobState.FAILED and not errors:
        errors = [problem_json(FieldProblem("", None, None, job.error or ""))]
        errors[0]["file"] = None
    result: dict[str, Any] | None = None
    if isinstance(job.result, SyncResult):
        result = dataclasses.asdict(job.result)
    elif isinstance(job.result, ImportReport):
        result = report_json(job.result)
    return {
        "id": job.id,
        "shop_id": job.shop_id,
        "kind": job.kind.value,
        "state": job.state.value,
        "done": job.done,
        "total": job.total,
        "message": job_message(job, language),
        "errors": errors,
        "created_at": _instant(job.created_at),
        "started_at": _instant(job.started_at),
        "finished_at": _instant(job.finished_at),
        "result": result,
    }


def import_kind(raw: str | None) -> str | None:
    """The kind chosen on the form or in the API: ``None`` (from each file's header) for
    nothing or ``auto``."""
    value = (raw or "").strip().lower()
    return None if value in {"", "auto"} else value


IMPORT_KINDS = tuple(kind.value for kind in ImportKind)
