"""A tiny two-phase deliverer for the fault tests: one real SMTP message per Delivery.

Selected with ``COLLECTION_DELIVERER=tests.reliability.deliverer.deliver``.
The message carries the action ids (header ``X-Actions``) and the engine's
deterministic Message-ID, so the test's SMTP server can count what was sent.

Deterministic kill points: ``FAULT_KILL_FILE`` names a JSON file
``{"prepare": [ids], "before_send": [ids], "after_send": [ids]}``; a worker
delivering one of those action ids SIGKILLs itself at that point, once per
(point, action) — a marker file next to it remembers the kill.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail import mailers

from claims.execution import Delivery
from claims.execution import DeliveryResult
from claims.execution import TwoPhaseDeliverer


def _maybe_die(point: str, delivery: Delivery) -> None:
    path = os.environ.get("FAULT_KILL_FILE")
    if not path or not Path(path).exists():
        return
    targets = set(json.loads(Path(path).read_text()).get(point, []))
    for pk in delivery.action_ids:
        if pk in targets:
            marker = Path(f"{path}.{point}-{pk}")
            try:
                marker.touch(exist_ok=False)  # once per (point, action)
            except FileExistsError:
                continue
            os.kill(os.getpid(), signal.SIGKILL)


def prepare(delivery: Delivery) -> str:
    _maybe_die("prepare", delivery)  # before the intent commits
    return delivery.message_id()


def send(delivery: Delivery, mid: str) -> DeliveryResult:
    _maybe_die("before_send", delivery)  # intent committed, nothing sent
    ids = ",".join(str(pk) for pk in sorted(delivery.action_ids))
    msg = EmailMessage(
        subject=f"Rappel de paiement ({ids})",
        body="Votre facture reste impayée.",
        to=[f"debtor-{delivery.debtor_id}@example.test"],
        headers={"Message-ID": mid, "X-Actions": ids},
    )
    conn = mailers["default"]
    try:
        conn.open()
        try:
            conn.send_messages([msg])
            _maybe_die("after_send", delivery)  # the server said 250
        finally:
            conn.close()
    except smtplib.SMTPRecipientsRefused as exc:
        code = min(c for c, _m in exc.recipients.values())
        return DeliveryResult(
            delivered=False, error=f"SMTP {code}", permanent=code >= 500
        )
    except smtplib.SMTPResponseException as exc:
        return DeliveryResult(
            delivered=False,
            error=f"SMTP {exc.smtp_code}",
            permanent=exc.smtp_code >= 500,
        )
    except (OSError, smtplib.SMTPException) as exc:
        return DeliveryResult(delivered=False, error=f"{type(exc).__name__}: {exc}")
    return DeliveryResult(delivered=True, channel="email", message_id=mid)


deliver = TwoPhaseDeliverer(prepare=prepare, send=send)


def _letters_prepare(delivery: Delivery):
    from letters.delivery import deliver_prepare

    _maybe_die("prepare", delivery)
    return deliver_prepare(delivery)


def _letters_send(delivery: Delivery, token) -> DeliveryResult:
    from letters.delivery import deliver_send

    _maybe_die("before_send", delivery)
    result = deliver_send(delivery, token)
    if result.delivered:
        _maybe_die("after_send", delivery)  # the server said 250
    return result


def _letters_cancel(delivery: Delivery, token) -> None:
    from letters.delivery import deliver_cancel

    deliver_cancel(delivery, token)


# The real letters deliverer (PDF, OutboundMessage, Document rows) with the
# same kill points: ``COLLECTION_DELIVERER=tests.reliability.deliverer.letters``.
letters = TwoPhaseDeliverer(
    prepare=_letters_prepare, send=_letters_send, cancel=_letters_cancel
)
