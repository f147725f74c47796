"""The Import page and ``POST /api/v1/shops/{id}/imports``: the example files uploaded for real,
broken copies of them refused with every problem by file, row and column and nothing stored,
the upload size limit, and who may import."""

from __future__ import annotations

import csv
import html
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from webshop import EXAMPLES, Site, make_user

from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import build_services

TABLES = ("orders", "order_lines", "reviews", "returns", "products", "product_costs", "ad_spend")
Files = list[tuple[str, bytes]]


@pytest.fixture
def fresh(site: Site) -> Shop:
    """An empty shop of the logged-in owner."""
    owner = site.services.accounts.user_by_name("owner")
    return site.services.add_shop("upload", None, None, None, owner_id=owner.id)


def _examples(*names: str) -> Files:
    chosen = names or tuple(p.stem for p in sorted(EXAMPLES.glob("*.csv")))
    return [(f"{n}.csv", (EXAMPLES / f"{n}.csv").read_bytes()) for n in chosen]


def _stored(site: Site, shop: Shop) -> dict[str, int]:
    with site.services.engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE shop_id = ?", (shop.id,)
            ).scalar_one()
            for table in TABLES
        }


def _upload(site: Site, client: TestClient, shop: Shop, files: Files, kind: str = "auto") -> str:
    """Upload through the page as a browser does; the page once the import has ended."""
    token = site.csrf(client, f"/shops/{shop.id}/import")
    answer = client.post(
        f"/shops/{shop.id}/import",
        data={"csrf_token": token, "kind": kind},
        files=[("files", (name, data, "text/csv")) for name, data in files],
    )
    assert answer.status_code == 200, answer.text
    job = re.search(r'data-job="([^"]+)"', answer.text)
    if job is not None:  # still running: follow it as the page's script does
        site.services.jobs.wait(shop.id, job.group(1), timeout=60)
        answer = client.get(f"/shops/{shop.id}/import?job={job.group(1)}")
    assert 'id="import-result"' in answer.text
    return answer.text


def _cells(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def _broken_orders() -> bytes:
    lines = (EXAMPLES / "orders.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[3] = "много"  # total_price of the second order, spreadsheet row 3
    lines[2] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


def _broken_returns() -> bytes:
    text = (EXAMPLES / "returns.csv").read_text(encoding="utf-8")
    header, first, *rest = text.splitlines()
    cells = first.split(",")
    cells[2] = "-1"  # quantity
    return ("\n".join([header, ",".join(cells), *rest]) + "\n").encode()


def test_uploading_the_example_files_imports_them_and_shows_the_report(
    site: Site, fresh: Shop, tmp_path: Path
) -> None:
    # What the service reports for the same files, found on another empty shop and rolled back.
    twin = site.services.add_shop("twin", None, None, None)
    expected = site.services.imports.import_files(
        twin, sorted(EXAMPLES.glob("*.csv")), dry_run=True
    )
    uploads_before = set(Path(tempfile.gettempdir()).glob("saudager-import-*"))
    page = _upload(site, site.pages, fresh, _examples())
    assert "Импортировано" in page
    kinds = {row[0]: (int(row[1]), int(row[2])) for row in _cells(page, "import-kinds")}
    names = {"orders": "заказы", "order_lines": "строки заказов", "reviews": "отзывы",
             "returns": "возвраты", "products": "товары", "advertising": "реклама"}  # fmt: skip
    assert kinds == {names[k.kind.value]: (k.rows_read, k.written) for k in expected.kinds}
    assert kinds["заказы"] == (5, 5)
    files = {row[0]: row[1] for row in _cells(page, "import-files")}
    assert files == {
        "advertising.csv": "реклама", "order_lines.csv": "строки заказов", "orders.csv": "заказы",
        "products.csv": "товары", "returns.csv": "возвраты", "reviews.csv": "отзывы",
    }  # fmt: skip
    assert f"Себестоимость: записано {expected.product_costs_written}" in page
    stored = _stored(site, fresh)
    assert stored["orders"] == 5 and stored["order_lines"] == 7 and stored["products"] == 3
    assert stored["ad_spend"] == expected.for_kind("advertising").written
    # Uploaded files are not kept once imported.
    assert set(Path(tempfile.gettempdir()).glob("saudager-import-*")) <= uploads_before

    # Again: nothing new (advertising rows are rewritten and counted as such).
    again = _upload(site, site.pages, fresh, _examples("orders", "order_lines"))
    assert {row[0]: row[2] for row in _cells(again, "import-kinds")} == {
        "заказы": "0", "строки заказов": "0",
    }  # fmt: skip
    assert _stored(site, fresh) == stored


def test_broken_files_list_every_problem_by_file_row_and_column_and_store_nothing(
    site: Site, fresh: Shop
) -> None:
    files = [
        ("orders.csv", _broken_orders()),
        *_examples("order_lines", "products"),
        ("returns.csv", _broken_returns()),
    ]
    before = _stored(site, fresh)
    page = _upload(site, site.pages, fresh, files)
    assert "Ошибки — ничего не импортировано" in page
    problems = _cells(page, "import-problems")
    by_place = {(file, row, column) for file, row, column, _ in problems}
    assert ("orders.csv", "3", "total_price") in by_place
    assert ("returns.csv", "2", "quantity") in by_place
    assert all("saudager-import" not in p[0] for p in problems)  # names as uploaded
    message = next(m for f, r, c, m in problems if c == "total_price")
    assert "много" in message
    assert _stored(site, fresh) == before == dict.fromkeys(TABLES, 0)

    site.services.accounts.set_language(site.services.accounts.user_by_name("owner").id, "en")
    page = _upload(site, site.pages, fresh, [("orders.csv", _broken_orders())])
    assert "Problems — nothing was imported" in page
    assert '<th data-sort="num" class="num">Row</th>' in page
    assert _cells(page, "import-problems")[0][:3] == ["orders.csv", "3", "total_price"]
    assert _stored(site, fresh) == before


def test_a_workbook_with_a_sheet_per_kind_and_odd_file_names(site: Site, fresh: Shop) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for kind in ("orders", "order_lines"):
        sheet = book.create_sheet(kind)
        for line in (EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8").splitlines():
            sheet.append(next(csv.reader([line])))
    data = io.BytesIO()
    book.save(data)
    page = _upload(site, site.pages, fresh, [("../../secret/shop export.xlsx", data.getvalue())])
    kinds = {row[0]: row[1] for row in _cells(page, "import-kinds")}
    assert kinds == {"заказы": "5", "строки заказов": "7"}
    sources = {row[0] for row in _cells(page, "import-files")}
    assert sources == {
        "shop export.xlsx (sheet 'orders')",
        "shop export.xlsx (sheet 'order_lines')",
    }
    assert _stored(site, fresh)["order_lines"] == 7


def test_the_page_asks_for_files_and_forces_a_chosen_kind(site: Site, fresh: Shop) -> None:
    token = site.csrf(site.pages, f"/shops/{fresh.id}/import")
    empty = site.pages.post(f"/shops/{fresh.id}/import", data={"csrf_token": token, "kind": "auto"})
    assert empty.status_code == 422 and "Выберите один или несколько файлов." in empty.text
    page = _upload(site, site.pages, fresh, _examples("orders"), kind="reviews")
    problems = _cells(page, "import-problems")
    assert problems and all(p[0] == "orders.csv" for p in problems)
    assert _stored(site, fresh)["orders"] == 0


@pytest.fixture
def small_site(tmp_path: Path) -> Iterator[Site]:
    services = build_services(load_settings(None, home=tmp_path / "small", web_max_upload_mb=1))
    shop = services.add_shop("small", None, None, None)
    token = make_user(services, "owner", shop, Role.OWNER)
    app = create_app(services)
    result = Site(services, shop, TestClient(app), TestClient(app), TestClient(app))
    result.api.headers["Authorization"] = f"Bearer {token}"
    result.login(result.pages, "owner")
    yield result
    services.close()


def test_uploads_over_the_size_setting_are_refused_with_the_limit(small_site: Site) -> None:
    site, shop = small_site, small_site.shop
    big = b"x" * (1200 * 1024)  # refused by its declared length, before it is read
    token = site.csrf(site.pages, f"/shops/{shop.id}/import")
    answer = site.pages.post(
        f"/shops/{shop.id}/import",
        data={"csrf_token": token},
        files=[("files", ("orders.csv", big, "text/csv"))],
    )
    assert answer.status_code == 413
    assert "Файлы больше 1 МБ" in answer.text and "web_max_upload_mb" in answer.text
    just_over = b"x" * (1024 * 1024 + 1)  # refused while it is saved
    api = site.api.post(
        f"/api/v1/shops/{shop.id}/imports", files=[("files", ("orders.csv", just_over, "text/csv"))]
    )
    assert api.status_code == 413 and "1 MB" in api.json()["detail"]
    assert _stored(site, shop)["orders"] == 0


def test_import_api_answers_with_the_report_or_the_problems(site: Site, fresh: Shop) -> None:
    url = f"/api/v1/shops/{fresh.id}/imports"
    bad = site.api.post(
        url,
        files=[("files", ("orders.csv", _broken_orders(), "text/csv"))],
        data={"kind": "orders"},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["ok"] is False
    assert {"file": "orders.csv", "row": 3, "column": "total_price"}.items() <= body["problems"][
        0
    ].items()
    assert body["job"]["state"] == "failed" and body["job"]["errors"] == body["problems"]
    assert _stored(site, fresh)["orders"] == 0

    good = site.api.post(
        url, files=[("files", (n, d, "text/csv")) for n, d in _examples("orders", "order_lines")]
    )
    assert good.status_code == 200
    report = good.json()["report"]
    assert {k["kind"]: k["written"] for k in report["kinds"]} == {"orders": 5, "order_lines": 7}
    assert _stored(site, fresh)["orders"] == 5

    started = site.api.post(f"{url}?wait=false", files=[("files", _examples("products")[0])])
    assert started.status_code == 202
    job = started.json()["job"]
    done = site.services.jobs.wait(fresh.id, job["id"], timeout=60)
    polled = site.api.get(f"/api/v1/shops/{fresh.id}/jobs/{done.id}").json()
    assert (polled["state"], polled["done"], polled["total"]) == ("succeeded", 2, 2)
    assert polled["result"]["kinds"] == [{"kind": "products", "rows_read": 3, "written": 3}]


def test_only_managers_and_owners_of_the_shop_import(site: Site) -> None:
    viewer = make_user(site.services, "watcher", site.shop, Role.VIEWER)
    stranger = make_user(site.services, "stranger", None, Role.VIEWER)
    client = TestClient(site.pages.app)
    site.login(client, "watcher")
    assert client.get(f"/shops/{site.shop.id}/import").status_code == 403
    token = site.csrf(client, "/shops")
    posted = client.post(
        f"/shops/{site.shop.id}/import", data={"csrf_token": token},
        files=[("files", _examples("orders")[0])],
    )  # fmt: skip
    assert posted.status_code == 403
    api = TestClient(site.pages.app)
    for bearer, status in ((viewer, 403), (stranger, 404)):
        api.headers["Authorization"] = f"Bearer {bearer}"
        answer = api.post(
            f"/api/v1/shops/{site.shop.id}/imports", files=[("files", _examples("orders")[0])]
        )
        assert answer.status_code == status
    # A page form without the session's CSRF token stores nothing.
    before = _stored(site, site.shop)
    forged = site.pages.post(
        f"/shops/{site.shop.id}/import", data={"csrf_token": "forged"},
        files=[("files", _examples("products")[0])],
    )  # fmt: skip
    assert forged.status_code == 403
    assert _stored(site, site.shop) == before
