"""Rendered shop pages are kept between requests: served again without being rebuilt, each
session with its own CSRF token, and rebuilt as soon as the shop's data changes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from webshop import Site

from saudager.web.pagecache import CSRF_PLACEHOLDER


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', html)) | set(
        re.findall(r'name="csrf-token" content="([^"]*)"', html)
    )


def test_a_page_is_built_once_and_each_session_gets_its_own_token(site: Site) -> None:
    path = f"/shops/{site.shop.id}/products?as_of=2026-03-20"
    other = TestClient(site.pages.app)
    site.login(other, "owner")  # the same user, another session
    cache = other.app.state.web.page_cache.pages  # type: ignore[attr-defined]
    first = site.pages.get(path)
    builds = cache.builds
    second = other.get(path)
    assert cache.builds == builds  # served from memory
    assert first.status_code == second.status_code == 200
    mine, theirs = csrf_tokens(first.text), csrf_tokens(second.text)
    assert len(mine) == len(theirs) == 1 and mine != theirs
    assert CSRF_PLACEHOLDER not in first.text + second.text
    # Each session's token works for its own forms only.
    assert mine == {site.csrf(site.pages, path)}


def test_a_change_of_the_shops_data_rebuilds_the_page(site: Site) -> None:
    path = f"/shops/{site.shop.id}/products?as_of=2026-03-20&q=KETTLE"
    before = site.pages.get(path).text
    token = csrf_tokens(before).pop()
    sku = re.search(r'data-sku="([^"]*KETTLE[^"]*)"', before)
    assert sku, "the example shop sells a kettle"
    answer = site.pages.post(
        f"/shops/{site.shop.id}/products/{sku.group(1)}/cost",
        data={"csrf_token": token, "cost": "1234", "effective_from": "2026-01-01",
              "as_of": "2026-03-20"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    after = site.pages.get(path).text
    assert "1\u00a0234\u00a0₸" in after and after != before


def test_pages_of_other_roles_and_languages_are_kept_apart(site: Site) -> None:
    path = f"/shops/{site.shop.id}/quality?as_of=2026-03-10"
    russian = site.pages.get(path).text
    token = site.csrf(site.pages, path)
    site.pages.post("/language", data={"language": "en", "csrf_token": token, "next": "/"})
    english = site.pages.get(path).text
    assert 'lang="ru"' in russian and 'lang="en"' in english
