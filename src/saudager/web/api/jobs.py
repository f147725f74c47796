"""``/api/v1/shops/{id}/sync``, ``…/imports`` and ``…/jobs``: syncs and file imports run in
the background, and their progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from saudager.core.errors import ConfigurationError, NotFoundError
from saudager.domains.accounts.types import Role
from saudager.domains.jobs.types import JobState
from saudager.web.api.shop_settings import REFUSED
from saudager.web.context import Web
from saudager.web.jobs import (
    UploadTooLarge,
    import_kind,
    job_json,
    problems_json,
    save_uploads,
    start_import,
    start_sync,
)


def add_routes(app: FastAPI, web: Web) -> None:
    guard, services = web.guard, web.services

    @app.post("/api/v1/shops/{shop_id}/sync", tags=["jobs"], status_code=202)
    def api_sync(request: Request, shop_id: int) -> JSONResponse:
        """Start a sync of the shop from Kaspi in the background (manager): 202 with the job
        to follow at ``/jobs/{id}``; 200 with the running job when one is already running;
        409 when the shop has no Kaspi token."""
        viewer = guard.api_viewer(request)
        shop = guard.api_shop(viewer, shop_id, Role.MANAGER)
        try:
            job, started = start_sync(services, shop, viewer.user.id)
        except ConfigurationError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        body = {"started": started, "job": job_json(job, viewer.language)}
        return JSONResponse(body, status_code=202 if started else 200)

    @app.post("/api/v1/shops/{shop_id}/imports", tags=["jobs"], responses=REFUSED)
    def api_import(
        request: Request,
        shop_id: int,
        files: Annotated[list[UploadFile], File(description="CSV or XLSX files.")],
        kind: Annotated[
            str | None,
            Form(
                description="orders, order_lines, reviews, returns, products or advertising; "
                "empty or 'auto': from each file's header."
            ),
        ] = None,
        wait: Annotated[
            bool, Query(description="Answer when the import has ended (default), or at once.")
        ] = True,
    ) -> JSONResponse:
        """Import files, all or nothing (manager). With ``wait`` (default): 200 with the
        report, or 422 with every problem (file, row, column, message) and nothing stored.
        With ``wait=false``: 202 with the job to follow at ``/jobs/{id}``. 413 when the files
        exceed the ``web_max_upload_mb`` setting."""
        viewer = guard.api_viewer(request)
        shop = guard.api_shop(viewer, shop_id, Role.MANAGER)
        limit = services.settings.web_max_upload_mb
        try:
            uploads = save_uploads(((f.filename, f.file) for f in files), limit)
        except UploadTooLarge as exc:
            raise HTTPException(status_code=413, detail=str(exc.problems[0].message)) from None
        job = start_import(services, shop, uploads, import_kind(kind), viewer.user.id)
        if not wait:
            return JSONResponse({"job": job_json(job, viewer.language)}, status_code=202)
        job = services.jobs.wait(shop.id, job.id, timeout=None)
        body = job_json(job, viewer.language)
        if job.state == JobState.SUCCEEDED and job.result is not None:
            return JSONResponse({"ok": True, "job": body, "report": body["result"]})
        return JSONResponse(
            {"ok": False, "job": body, "problems": problems_json(job.problems),
             "detail": job.error},
            status_code=422,
        )  # fmt: skip

    @app.get("/api/v1/shops/{shop_id}/jobs", tags=["jobs"])
    def api_jobs(request: Request, shop_id: int) -> dict[str, Any]:
        """The shop's recent syncs and imports started from the web, newest first."""
        viewer = guard.api_viewer(request)
        shop = guard.api_shop(viewer, shop_id)
        return {"jobs": [job_json(j, viewer.language) for j in services.jobs.recent(shop.id)]}

    @app.get("/api/v1/shops/{shop_id}/jobs/{job_id}", tags=["jobs"])
    def api_job(request: Request, shop_id: int, job_id: str) -> dict[str, Any]:
        """A job's ``state`` (queued, running, succeeded, failed), ``done`` of ``total``, its
        ``message`` and ``errors``; 404 for an unknown job or another shop's."""
        viewer = guard.api_viewer(request)
        shop = guard.api_shop(viewer, shop_id)
        try:
            job = services.jobs.get(shop.id, job_id)
        except NotFoundError:
            raise HTTPException(status_code=404, detail=f"no job {job_id}") from None
        return job_json(job, viewer.language)
