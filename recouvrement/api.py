"""The public API, version 1: ``/api/v1/`` (django-ninja).

Assembled here, in the project package, so that the documents router of
``letters`` sits next to the claims routers without ``claims`` importing it.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from claims.api import problems
from claims.api.auth import TokenAuth
from claims.api.routes import router as claims_router
from letters.api import router as documents_router


class RecouvrementAPI(NinjaAPI):
    """The schema says what the answers are: errors are ``application/problem+json``."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.CONTENT_TYPE] = content.pop("application/json")
        return schema


api = RecouvrementAPI(
    title="Recouvrement API",
    version="1.0.0",
    description=(
        "Debtors, claims, invoices, payments and statements of one creditor. "
        "Authenticate with `Authorization: Bearer <token>` (a token created by an "
        "owner in Settings → API). Money is a decimal string with its currency, "
        "dates are ISO 8601, errors are RFC 9457 problem details."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
problems.install(api)
api.add_router("/", claims_router)
api.add_router("/", documents_router)
