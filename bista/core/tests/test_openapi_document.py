"""The OpenAPI document names every schema once and documents each operation with the schema it returns
(issue 14, defect 12: two schemas called PlanOut, so the care plans were documented as operational plans)."""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from bista.api import api

DOCUMENT = api.get_openapi_schema()
COMPONENTS = DOCUMENT["components"]["schemas"]


def _operations() -> Iterator[tuple[str, str, Any]]:
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                full = "/api/v1/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
                for method in operation.methods:
                    yield method.lower(), full, operation


def _models(annotation: Any, found: dict[str, set[type[BaseModel]]]) -> None:
    """Every pydantic model reachable from an annotation, by the name it gets in the document."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found[annotation.__name__]:
            return
        found[annotation.__name__].add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models(argument, found)


def _returned(operation: Any, status: int) -> Any:
    """The type the endpoint answers with for `status` (ninja wraps it in a model with one field)."""
    return operation.response_models[status].model_fields["response"].annotation


def _documented(annotation: Any) -> dict[str, Any]:
    """The schema the document should show for a returned type."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return {"type": "array", "items": _documented(item)}
    raise AssertionError(f"no expectation for {annotation!r}")


def test_the_document_has_the_operations() -> None:
    assert len(list(_operations())) >= 100


def test_every_schema_name_is_used_by_one_class() -> None:
    found: dict[str, set[type[BaseModel]]] = defaultdict(set)
    for _method, _path, operation in _operations():
        for response_model in operation.response_models.values():
            if response_model is not None and hasattr(response_model, "model_fields"):
                _models(response_model.model_fields["response"].annotation, found)
        for params in operation.models:  # ninja's per-operation wrappers (QueryParams, …): their fields
            for field in params.model_fields.values():
                _models(field.annotation, found)
    duplicates = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes) for name, classes in found.items()}
    duplicates = {name: classes for name, classes in duplicates.items() if len(classes) > 1}
    assert not duplicates, duplicates


# Ids from the method and path only: an operation object's repr holds its memory address, which differs between
# the parallel workers, and xdist refuses workers that collected different test ids.
@pytest.mark.parametrize(
    ("method", "path", "operation"), [pytest.param(*op, id=f"{op[0]} {op[1]}") for op in _operations()]
)
def test_each_success_answer_is_documented_with_the_schema_the_endpoint_returns(
    method: str, path: str, operation: Any
) -> None:
    responses = DOCUMENT["paths"][path][method]["responses"]
    for status in operation.response_models:
        if not isinstance(status, int) or status >= 400 or operation.response_models[status] is None:
            continue
        returned = _returned(operation, status)
        content = (responses.get(status) or responses[str(status)]).get("content", {})
        if returned is type(None) or not content:
            continue
        documented = {k: v for k, v in next(iter(content.values()))["schema"].items() if k != "title"}
        expected = _documented(returned)
        assert documented == expected, (path, status, documented, expected)
        ref = expected.get("$ref") or expected.get("items", {}).get("$ref")
        if ref:
            model = returned if "$ref" in expected else typing.get_args(returned)[0]
            component = COMPONENTS[ref.rsplit("/", 1)[1]]
            assert set(component.get("properties", {})) == set(model.model_json_schema()["properties"]), path


def test_care_plans_are_documented_as_care_plans() -> None:
    """The case the outside probe found: the care plan endpoints must not show the operational plan."""
    responses = DOCUMENT["paths"]["/api/v1/care/plans/{plan_id}"]["get"]["responses"]
    schema = (responses.get(200) or responses["200"])["content"]
    name = schema["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"goals", "order_id", "signed_on"} <= set(COMPONENTS[name]["properties"])
    assert "year" not in COMPONENTS[name]["properties"]
