"""A tiny deliverer for the fault tests: one real SMTP message per Delivery.

Selected with ``COLLECTION_DELIVERER=tests.reliability.deliverer.deliver``.
The message carries the action ids (header ``X-Actions``) and a Message-ID
derived from them, so the test's SMTP server can count what was really sent.
"""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage
from django.core.mail import mailers

from claims.execution import Delivery
from claims.execution import DeliveryResult


def message_id(delivery: Delivery) -> str:
    ids = "-".join(str(pk) for pk in sorted(delivery.action_ids))
    return f"<actions-{ids}@recouvrement.test>"


def deliver(delivery: Delivery) -> DeliveryResult:
    mid = message_id(delivery)
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
            if delivery.on_accepted is not None:
                delivery.on_accepted(mid)  # before QUIT: the engine records it now
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
