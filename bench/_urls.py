"""Bench-only urlconf: the real URLs plus the floor view of ``bench.pages``."""

from django.db import connection
from django.http import HttpRequest
from django.http import HttpResponse
from django.urls import path

from recouvrement.urls import urlpatterns as real_urlpatterns


def floor_view(request: HttpRequest) -> HttpResponse:
    """The least a page can do: one trivial query, a tiny response."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench_floor__/", floor_view), *real_urlpatterns]
