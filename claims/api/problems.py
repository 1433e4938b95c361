"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error answer carries ``type``, ``title``, ``status``, ``detail`` and,
for invalid input, ``errors``: one ``{"field", "reason"}`` per refused field.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja import Schema
from ninja.errors import AuthenticationError
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_TYPE = "https://recouvrement.app/problems/"
CONTENT_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str | None
    reason: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised by the API code: becomes a problem answer with ``status``."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str = "",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + slug,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "errors": errors or [],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found() -> ApiProblem:
    return ApiProblem(404, "not-found", _("Introuvable"))


def _field_from_loc(loc: list[Any] | tuple[Any, ...]) -> str:
    # ("body", "payload", "amount") → "amount"; ("query", "at") → "at".
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or str(loc[-1] if loc else "")


def django_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's ``ValidationError`` as field errors (``None`` for the whole)."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if name == "__all__" else name, "reason": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "reason": str(m)} for m in exc.messages]


def install(api: NinjaAPI) -> None:
    """Route every error of ``api`` to a problem answer."""

    @api.exception_handler(ApiProblem)
    def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, exc.errors, exc.headers
        )

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_from_loc(e.get("loc", ())),
                "reason": str(e.get("msg", "")),
            }
            for e in exc.errors
        ]
        return problem_response(
            422, "invalid-input", _("Données refusées"), _("Voir les champs."), errors
        )

    @api.exception_handler(DjangoValidationError)
    def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem_response(
            422,
            "refused",
            _("Refusé par les règles du dossier"),
            "; ".join(str(m) for m in exc.messages),
            django_errors(exc),
        )

    @api.exception_handler(DataError)
    def _nul(request: HttpRequest, exc: DataError) -> HttpResponse:
        # PostgreSQL text cannot hold U+0000: refused (the write rolled back).
        if "NUL" not in str(exc):
            raise exc
        return problem_response(
            422,
            "invalid-input",
            _("Données refusées"),
            _("Caractère nul (U+0000) refusé."),
        )

    @api.exception_handler(Http404)
    def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(404, "not-found", _("Introuvable"))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem_response(
            401,
            "unauthenticated",
            _("Jeton d'API manquant, inconnu ou révoqué"),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(exc.status_code, "error", str(exc), str(exc))
