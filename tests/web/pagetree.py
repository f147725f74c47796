"""A page's HTML as a small tree, to find elements by id or attribute and read their text
(the standard library's parser: the tests need no HTML library)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        """The text inside, whitespace runs made one space (no-break spaces kept)."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return re.sub(r"[ \t\r\n]+", " ", "".join(parts)).strip()

    def walk(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def find_all(self, match: Callable[[Element], bool]) -> list[Element]:
        return [e for e in self.walk() if match(e)]

    def select(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements of ``tag`` whose attributes equal ``attrs`` (``True``: present); names
        with ``_`` stand for ``-`` (``data_figure="value"``), ``class_`` for ``class``."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}

        def match(e: Element) -> bool:
            if tag is not None and e.tag != tag:
                return False
            for name, value in wanted.items():
                if value is True:
                    if name not in e.attrs:
                        return False
                elif e.attrs.get(name) != value:
                    return False
            return True

        return self.find_all(match)

    def one(self, tag: str | None = None, **attrs: str | bool) -> Element:
        found = self.select(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {len(found)}"
        return found[0]

    def by_id(self, ident: str) -> Element:
        return self.one(id=ident)

    def json(self, ident: str) -> Any:
        """The JSON of a ``<script type="application/json" id=…>`` block."""
        return json.loads(self.by_id(ident).text)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
