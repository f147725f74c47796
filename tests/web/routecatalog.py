"""Every route of the app, ready to call: its path filled in with given values.

The tests that must cover every route (a user of one shop asking for another's, the browser
visiting every page) read the app's own route table rather than a list kept by hand, so a new
route is covered the moment it is added. Each parameter gets a value by its name from the
values the test provides (``shop_id``, ``sku``, …); enumerations and literals get their first
allowed value; a required parameter the catalogue cannot fill is an error naming the route and
the parameter, so a new kind of parameter is noticed, never skipped.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import UploadFile, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter

#: A small, valid CSV for any file field (the routes under test must refuse before reading it).
SAMPLE_FILE = ("sample.csv", b"sku,cost\nX-1,100\n", "text/csv")


class MissingValue(LookupError):
    """A required parameter the catalogue has no value for."""


@dataclass(frozen=True)
class Call:
    """One method of one route, with every required parameter filled in."""

    method: str
    template: str  # the route's path, e.g. /shops/{shop_id}/quality/{indicator}
    url: str  # the path filled in, with the query string
    params: dict[str, str]  # each parameter given, by name (path, query and body)
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    json: Any = None
    has_json: bool = False

    @property
    def is_api(self) -> bool:
        return self.template.startswith("/api/")

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


def routes(app: Any) -> list[APIRoute]:
    """The app's own routes (pages and API); not the static mount nor the API's docs."""
    return [route for route in app.routes if isinstance(route, APIRoute)]


def _fields(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    """(kind, field) of a route's parameters, those of its dependencies included."""
    for kind in ("path", "query", "body"):
        for found in getattr(dependant, f"{kind}_params"):
            yield kind, found
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``; ``Annotated[X, …]`` → ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(kept) == 1:
            return _unwrap(kept[0])
    return annotation


def _generic_value(annotation: Any) -> Any:
    """A value any route accepts for this type, without knowing the route (else ``None``)."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation)).value
    return None


def _text(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def example_json(schema: Mapping[str, Any], defs: Mapping[str, Any] | None = None) -> Any:
    """A small value valid against a JSON schema (only what pydantic's schemas use)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_json(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_json(options[0], defs)
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ()))
        return {
            name: example_json(sub, defs)
            for name, sub in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        return [example_json(schema.get("items", {}), defs)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date":
            return date(2026, 3, 1).isoformat()
        if schema.get("format") == "date-time":
            return "2026-03-01T12:00:00+05:00"
        return "x" * max(1, schema.get("minLength", 1))
    return None


def _is_file(annotation: Any) -> bool:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        annotation = _unwrap(typing.get_args(annotation)[0])
    return annotation is bytes or (
        isinstance(annotation, type) and issubclass(annotation, UploadFile)
    )


def calls(route: APIRoute, values: Mapping[str, object]) -> list[Call]:
    """Each method of ``route`` with its required parameters filled in from ``values`` (by
    name), or with the first allowed value of an enumeration or literal."""
    path = route.path
    query: dict[str, str] = {}
    given: dict[str, str] = {}
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    body: dict[str, Any] = {}
    embed = False
    for kind, found in _fields(route.dependant):
        name, alias = found.name, found.alias or found.name
        annotation = found.field_info.annotation
        required = found.field_info.is_required()
        if name in values:
            value: object = values[name]
        elif alias in values:
            value = values[alias]
        elif kind == "body" and _is_file(annotation):
            if required:
                files[alias] = SAMPLE_FILE
            continue
        elif not required:
            continue
        elif (generic := _generic_value(annotation)) is not None:
            value = generic
        elif kind == "body" and isinstance(found.field_info, params.Body):
            value = example_json(TypeAdapter(annotation).json_schema())
        else:
            raise MissingValue(
                f"{sorted(route.methods or set())} {route.path}: no value for the required {kind} "
                f"parameter {name!r} ({annotation!r}); add one to the test's values"
            )
        if kind == "path":
            path = path.replace("{" + name + "}", quote(_text(value), safe=""))
        elif kind == "query":
            query[alias] = _text(value)
        elif isinstance(found.field_info, params.File):  # before Form: a File is a Form
            files[alias] = value  # type: ignore[assignment]
        elif isinstance(found.field_info, params.Form):
            form[alias] = _text(value)
        else:
            body[alias] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
            embed = embed or bool(getattr(found.field_info, "embed", False))
        given[name] = _text(value)
    # One body parameter is the whole JSON body, unless it is embedded in an object by name.
    json_body: Any = body
    if len(body) == 1 and not embed:
        [json_body] = body.values()
    url = path + (f"?{urlencode(query)}" if query else "")
    return [
        Call(
            method,
            route.path,
            url,
            given,
            form=dict(form),
            files=dict(files),
            json=json_body,
            has_json=bool(body),
        )
        for method in sorted(route.methods or set())
    ]
