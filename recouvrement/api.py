"""The public API, version 1: ``/api/v1/`` (django-ninja).

Assembled here, in the project package, so that the documents router of
``letters`` sits next to the claims routers without ``claims`` importing it.
"""

from __future__ import annotations

from ninja import NinjaAPI

from claims.api import problems
from claims.api.auth import TokenAuth
from claims.api.routes import router as claims_router
from letters.api import router as documents_router

api = NinjaAPI(
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
