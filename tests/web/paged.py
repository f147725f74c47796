"""Reading a paged table of a page (``web/paging.py``): its pager, and every row of it by
following the "next" links from a first page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from pagetree import Element, parse

#: More pages than any walk in the tests needs: a pager that never ends fails instead.
MAX_PAGES = 50


def get(client: TestClient, url: str) -> Element:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def pager(doc: Element, table: str) -> Element:
    """The first pager of ``table`` (its anchor: ``products-list``, ``comparison``…)."""
    return doc.select("nav", data_for=table)[0]


def pager_of(doc: Element, table: str) -> tuple[int, int, int]:
    """Page, pages and rows matched, as the pager says."""
    nav = pager(doc, table)
    return int(nav["data-page"]), int(nav["data-pages"]), int(nav["data-total"])


def walk(
    client: TestClient, url: str, table: str, rows: Callable[[Element], list[Element]]
) -> tuple[list[Element], int]:
    """Every row of ``table`` from ``url`` on, page after page; and how many pages there
    were. Each page's pager must agree with the page it is on."""
    seen: list[Element] = []
    for number in range(1, MAX_PAGES + 1):
        doc = get(client, url)
        page, pages, _ = pager_of(doc, table)
        assert page == number
        seen += rows(doc)
        following = pager(doc, table).select("a", data_pager="next")
        if not following:
            assert page == pages
            return seen, pages
        url = following[0]["href"]
    raise AssertionError(f"more than {MAX_PAGES} pages")
