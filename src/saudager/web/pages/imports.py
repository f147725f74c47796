"""The Import page: upload CSV or XLSX files, follow the import's progress, then see what was
imported or every problem by file, row and column (nothing is stored when a file has one)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from saudager.core.errors import NotFoundError
from saudager.domains.accounts.types import Role
from saudager.domains.imports.types import ImportReport
from saudager.domains.jobs.types import Job, JobKind
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.i18n import register, translate
from saudager.web.jobs import (
    IMPORT_KINDS,
    UploadTooLarge,
    import_kind,
    job_message,
    save_uploads,
    start_import,
)
from saudager.web.security import Viewer

register(
    {
        "import.title": ("Импорт файлов", "Import files"),
        "import.intro": (
            "Заказы, строки заказов, отзывы, возвраты, товары с себестоимостью и расходы на "
            "рекламу из CSV или XLSX. Сначала проверяются все файлы: если в одном есть ошибка, "
            "не сохраняется ничего, а ниже перечисляются все ошибки. Повторный импорт тех же "
            "файлов ничего не меняет. Форматы: docs/import-formats.md.",
            "Orders, order lines, reviews, returns, products with purchase costs and advertising "
            "spend from CSV or XLSX. Every file is checked first: if one has a problem, nothing "
            "is stored and every problem is listed below. Importing the same files again changes "
            "nothing. Formats: docs/import-formats.md.",
        ),
        "import.files": ("Файлы", "Files"),
        "import.limit": (
            "Не больше {mb} МБ за раз.",
            "At most {mb} MB at a time.",
        ),
        "import.kind": ("Вид данных", "Kind of data"),
        "import.kind.auto": ("определить по заголовку", "tell from the header"),
        "import.kind.orders": ("заказы", "orders"),
        "import.kind.order_lines": ("строки заказов", "order lines"),
        "import.kind.reviews": ("отзывы", "reviews"),
        "import.kind.returns": ("возвраты", "returns"),
        "import.kind.products": ("товары", "products"),
        "import.kind.advertising": ("реклама", "advertising"),
        "import.submit": ("Импортировать", "Import"),
        "import.error.no_files": (
            "Выберите один или несколько файлов.",
            "Choose one or more files.",
        ),
        "import.error.too_large": (
            "Файлы больше {mb} МБ: разделите их или увеличьте настройку web_max_upload_mb.",
            "The files exceed {mb} MB: split them, or raise the web_max_upload_mb setting.",
        ),
        "import.problems": ("Ошибки — ничего не импортировано", "Problems — nothing was imported"),
        "import.problem.file": ("Файл", "File"),
        "import.problem.row": ("Строка", "Row"),
        "import.problem.column": ("Столбец", "Column"),
        "import.problem.message": ("Что не так", "What is wrong"),
        "import.done": ("Импортировано", "Imported"),
        "import.report.file": ("Файл", "File"),
        "import.report.kind": ("Вид", "Kind"),
        "import.report.rows": ("Прочитано строк", "Rows read"),
        "import.report.written": (
            "Записано (новых или изменённых)",
            "Written (new or changed)",
        ),
        "import.report.ignored": ("Пропущенные столбцы", "Ignored columns"),
        "import.report.costs": (
            "Себестоимость: записано {count}",
            "Purchase costs: {count} written",
        ),
        "import.again": ("Импортировать ещё", "Import more"),
    }
)

#: How long the upload's answer waits for the import to end before showing its progress.
WAIT_SECONDS = 3.0
#: Room for the multipart wrapping around the files in a request's Content-Length.
_ENVELOPE_BYTES = 64 * 1024


def add_routes(app: FastAPI, web: Web) -> None:
    guard, services = web.guard, web.services
    limit_mb = services.settings.web_max_upload_mb

    def import_page(
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        *,
        job: Job | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        report = job.result if job is not None and isinstance(job.result, ImportReport) else None
        return web.page(
            request, viewer, "import.html", shop=shop, role=role, status_code=status_code,
            job=job, report=report, error=error, kinds=IMPORT_KINDS, limit_mb=limit_mb,
            job_text=None if job is None else job_message(job, viewer.language),
            job_unknown=job is None and bool(request.query_params.get("job")),
        )  # fmt: skip

    @app.get("/shops/{shop_id}/import", response_class=HTMLResponse, include_in_schema=False)
    def import_form(request: Request, shop_id: int, job: str | None = None) -> Response:
        viewer = guard.page_viewer(request)
        shop, role = guard.page_shop(viewer, shop_id, Role.MANAGER)
        found: Job | None = None
        if job:
            try:
                found = services.jobs.get(shop.id, job)
            except NotFoundError:
                found = None
            if found is not None and found.kind != JobKind.IMPORT:
                found = None
        return import_page(request, viewer, shop, role, job=found)

    @app.post("/shops/{shop_id}/import", response_class=HTMLResponse, include_in_schema=False)
    async def upload(request: Request, shop_id: int) -> Response:
        viewer = guard.page_viewer(request)
        shop, role = guard.page_shop(viewer, shop_id, Role.MANAGER)
        too_large = translate(viewer.language, "import.error.too_large", mb=limit_mb)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit_mb * 1024 * 1024 + _ENVELOPE_BYTES:
            # Refused before reading the body.
            return import_page(request, viewer, shop, role, error=too_large, status_code=413)
        form = await guard.form(request, viewer)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            error = translate(viewer.language, "import.error.no_files")
            return import_page(request, viewer, shop, role, error=error, status_code=422)
        kind = form.get("kind")
        try:
            uploads = await run_in_threadpool(
                save_uploads, [(f.filename, f.file) for f in files], limit_mb
            )
        except UploadTooLarge:
            return import_page(request, viewer, shop, role, error=too_large, status_code=413)
        job = start_import(
            services, shop, uploads, import_kind(kind if isinstance(kind, str) else None),
            viewer.user.id,
        )  # fmt: skip
        await run_in_threadpool(services.jobs.wait, shop.id, job.id, WAIT_SECONDS)
        return RedirectResponse(f"/shops/{shop.id}/import?job={job.id}", status_code=303)
