"""The Celery app of the webhook fault tests: the real one, with kill points.

Started as ``celery -A tests.reliability.hook_faults worker``. ``FAULT_KILL_FILE``
names a JSON list of points; at each point, once (a marker file next to it
remembers), the worker SIGKILLs its whole process group — a crashed host:

- ``before_request``: the attempt is leased and counted, nothing sent yet;
- ``after_response``: the receiver answered 2xx, the answer not yet recorded.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from claims.ledger import webhooks
from recouvrement.celery import app

__all__ = ["app"]

_post = webhooks._post


def _maybe_die(point: str) -> None:
    path = os.environ.get("FAULT_KILL_FILE")
    if not path or point not in json.loads(Path(path).read_text() or "[]"):
        return
    try:
        Path(f"{path}.{point}").touch(exist_ok=False)  # once per point
    except FileExistsError:
        return
    os.killpg(os.getpgid(0), signal.SIGKILL)


def _post_with_kill_points(request):  # type: ignore[no-untyped-def]
    _maybe_die("before_request")
    answer = _post(request)
    if 200 <= answer[0] < 300:
        _maybe_die("after_response")
    return answer


webhooks._post = _post_with_kill_points
