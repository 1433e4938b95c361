"""A tiny two-phase deliverer for the fault tests: one real SMTP message per Delivery,
a batch over one SMTP connection.

Selected with ``COLLECTION_DELIVERER=tests.reliability.deliverer.deliver``.
The message carries the action ids (header ``X-Actions``) and the engine's
deterministic Message-ID, so the test's SMTP server can count what was sent.

Deterministic kill points: ``FAULT_KILL_FILE`` names a JSON file
``{"prepare": [ids], "before_send": [ids], "after_send": [ids]}``; a worker
delivering one of those action ids SIGKILLs itself at that point, once per
(point, action) — a marker file next to it remembers the kill.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import smtplib
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail import mailers

from claims.engine.execution import Delivery
from claims.engine.execution import DeliveryResult
from claims.engine.execution import TwoPhaseDeliverer
from claims.engine.execution import answered


def _targets(point: str) -> tuple[str, set[int]]:
    path = os.environ.get("FAULT_KILL_FILE")
    if not path or not Path(path).exists():
        return "", set()
    return path, set(json.loads(Path(path).read_text()).get(point, []))


def _maybe_die(point: str, delivery: Delivery) -> None:
    path, targets = _targets(point)
    for pk in delivery.action_ids:
        if pk in targets:
            marker = Path(f"{path}.{point}-{pk}")
            try:
                marker.touch(exist_ok=False)  # once per (point, action)
            except FileExistsError:
                continue
            os.kill(os.getpid(), signal.SIGKILL)


def _aimed(delivery: Delivery) -> bool:
    """A kill point of the send phase is still waiting for this delivery."""
    for point in ("before_send", "after_send"):
        path, targets = _targets(point)
        for pk in set(delivery.action_ids) & targets:
            if not Path(f"{path}.{point}-{pk}").exists():
                return True
    return False


def prepare(delivery: Delivery) -> str:
    _maybe_die("prepare", delivery)  # before the intent commits
    return delivery.message_id()


def _message(delivery: Delivery, mid: str) -> EmailMessage:
    ids = ",".join(str(pk) for pk in sorted(delivery.action_ids))
    return EmailMessage(
        subject=f"Rappel de paiement ({ids})",
        body="Votre facture reste impayée.",
        to=[f"debtor-{delivery.debtor_id}@example.test"],
        headers={"Message-ID": mid, "X-Actions": ids},
    )


def send(delivery: Delivery, mid: str) -> DeliveryResult:
    return send_many([(delivery, mid)])[0]


def send_many(pairs: list[tuple[Delivery, str]]) -> list[DeliveryResult]:
    """The batch over ONE SMTP connection, kill points between the messages."""
    conn = mailers["default"]
    try:
        conn.open()
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
        return [DeliveryResult(delivered=False, error=error) for _p in pairs]
    results: list[DeliveryResult] = []
    broken = ""
    try:
        for delivery, mid in pairs:
            if broken:
                results.append(DeliveryResult(delivered=False, error=broken))
                continue
            _maybe_die("before_send", delivery)  # intent committed, not sent
            result = _send_one(conn, delivery, mid)
            if result.delivered or result.error.startswith("SMTP "):
                answered(mid, result.delivered)  # journaled (claims.engine.send_journal)
            if result.delivered:
                _maybe_die("after_send", delivery)  # the server said 250
            elif not result.permanent and not result.error.startswith("SMTP "):
                broken = result.error  # connection lost: the rest is not sent
            results.append(result)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            conn.close()
    return results


def _send_one(conn, delivery: Delivery, mid: str) -> DeliveryResult:
    try:
        conn.send_messages([_message(delivery, mid)])
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


deliver = TwoPhaseDeliverer(
    prepare=prepare, send=send, send_many=send_many, journals=True
)


def _letters_prepare(delivery: Delivery):
    from letters.delivery import deliver_prepare

    _maybe_die("prepare", delivery)
    return deliver_prepare(delivery)


def _letters_send(delivery: Delivery, token) -> DeliveryResult:
    from letters.delivery import deliver_send

    _maybe_die("before_send", delivery)
    result = deliver_send(delivery, token)
    if result.delivered:
        answered(delivery.message_id(), True)  # journaled (claims.engine.send_journal)
        _maybe_die("after_send", delivery)  # the server said 250
    return result


def _letters_send_many(pairs) -> list[DeliveryResult]:
    """The letters' batch send; a delivery aimed at by a kill point is sent on
    its own so the kill falls between two messages of the batch."""
    from letters.delivery import deliver_send_many

    results: list[DeliveryResult] = []
    start = 0
    for i, (delivery, token) in enumerate(pairs):
        if _aimed(delivery):
            results += deliver_send_many(pairs[start:i]) if start < i else []
            results.append(_letters_send(delivery, token))
            start = i + 1
    results += deliver_send_many(pairs[start:]) if start < len(pairs) else []
    return results


def _letters_prepare_many(deliveries):
    from letters.delivery import deliver_prepare_many

    for delivery in deliveries:
        _maybe_die("prepare", delivery)
    return deliver_prepare_many(deliveries)


def _letters_cancel(delivery: Delivery, token) -> None:
    from letters.delivery import deliver_cancel

    deliver_cancel(delivery, token)


# The real letters deliverer (PDF, OutboundMessage, Document rows) with the
# same kill points: ``COLLECTION_DELIVERER=tests.reliability.deliverer.letters``.
letters = TwoPhaseDeliverer(
    prepare=_letters_prepare,
    send=_letters_send,
    cancel=_letters_cancel,
    prepare_many=_letters_prepare_many,
    send_many=_letters_send_many,
    journals=True,
)
