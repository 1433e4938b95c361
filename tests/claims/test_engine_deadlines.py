"""Deadlines first, and no letter dated on a weekend or a public holiday.

GIVEN the default scenarios (Belgian B2B: reminder 1 at D+3 giving 10 days)
WHEN the tick runs day after day
THEN no step goes out before the day after the deadline printed in the
previous message, and a registered letter due on a public holiday of the
creditor's country (legal-brief §2.2: working days = Mon–Fri minus public
holidays) is held to the next working day.
"""

from datetime import date
from datetime import timedelta

import pytest

from claims.models import Action
from claims.services_run import collection_run_sync
from letters.context import payment_deadline
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

pytestmark = pytest.mark.usefixtures("engine_seed")
D = date(2026, 3, 2)


def _sent_days(deliverer):
    kinds = dict(Action.objects.values_list("pk", "step__kind"))
    return [(d.today, kinds[pk]) for d in deliverer.deliveries for pk in d.action_ids]


def test_the_next_step_waits_for_the_previous_deadline(deliverer):
    creditor = f.CreditorFactory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    # A scenario edited so that reminder 2 falls inside reminder 1's deadline.
    Action.objects.filter(claim=claim, step__kind="reminder").update(
        due_on=D + timedelta(days=8)
    )
    for n in range(3, 17):
        collection_run_sync(now=at(D + timedelta(days=n)))
        if n == 8:
            held = Action.objects.get(claim=claim, step__kind="reminder")
            assert held.state == "planned"
            assert "16/03/2026" in held.reason
    first = Action.objects.get(claim=claim, step__kind="first_reminder")
    # Thu 5 Mar + 10 days = Sun 15 Mar → the deadline printed is Mon 16 Mar.
    assert first.deadline_on == date(2026, 3, 16)
    assert _sent_days(deliverer) == [
        (date(2026, 3, 5), "first_reminder"),
        (date(2026, 3, 17), "reminder"),
    ]
    claim.refresh_from_db()
    assert claim.reply_by == date(2026, 3, 31)  # reminder 2 gives 14 days


@pytest.mark.parametrize(
    ("creditor_factory", "holiday", "next_day"),
    [
        (f.CreditorFactory, date(2026, 12, 25), date(2026, 12, 28)),  # Noël (Fri)
        (f.FrenchCreditorFactory, date(2026, 12, 25), date(2026, 12, 28)),
        (f.CreditorFactory, date(2027, 11, 1), date(2027, 11, 2)),  # Toussaint (Mon)
        (f.FrenchCreditorFactory, date(2027, 11, 1), date(2027, 11, 2)),
        (f.CreditorFactory, date(2027, 3, 29), date(2027, 3, 30)),  # Easter Monday
        (f.FrenchCreditorFactory, date(2026, 4, 6), date(2026, 4, 7)),
        (f.FrenchCreditorFactory, date(2026, 7, 14), date(2026, 7, 15)),
    ],
)
def test_a_registered_letter_is_never_dated_on_a_public_holiday(
    deliverer, creditor_factory, holiday, next_day
):
    creditor = creditor_factory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    Action.objects.filter(
        claim=claim, step__kind__in=["first_reminder", "reminder"]
    ).update(state="done")
    Action.objects.filter(claim=claim, step__kind="formal_notice").update(
        due_on=holiday
    )
    collection_run_sync(now=at(holiday))
    assert deliverer.deliveries == []
    notice = Action.objects.get(claim=claim, step__kind="formal_notice")
    assert (notice.state, notice.due_on) == ("planned", next_day)
    assert "férié" in notice.reason
    collection_run_sync(now=at(next_day))
    assert _sent_days(deliverer) == [(next_day, "formal_notice")]
    notice.refresh_from_db()
    assert notice.deadline_on == payment_deadline(
        kind="formal_notice",
        sent_on=next_day,
        country=creditor.country,
        debtor_kind="business",
        channel="registered",
        deadline_days=notice.step.deadline_days,
    )


def test_a_belgian_national_day_is_a_working_day_for_a_french_creditor(deliverer):
    creditor = f.FrenchCreditorFactory()
    claim = open_claim(creditor, f.DebtorFactory(creditor=creditor), due=D)
    Action.objects.filter(
        claim=claim, step__kind__in=["first_reminder", "reminder"]
    ).update(state="done")
    Action.objects.filter(claim=claim, step__kind="formal_notice").update(
        due_on=date(2026, 7, 21)
    )
    collection_run_sync(now=at(date(2026, 7, 21)))
    assert _sent_days(deliverer) == [(date(2026, 7, 21), "formal_notice")]


def test_the_letter_prints_the_deadline_the_engine_waits_for():
    # Sent Thu 10 Dec 2026 with 15 days → Fri 25 Dec → Mon 28 Dec (BE and FR).
    for country in ("BE", "FR"):
        assert payment_deadline(
            kind="reminder",
            sent_on=date(2026, 12, 10),
            country=country,
            debtor_kind="business",
            channel="email",
            deadline_days=15,
        ) == date(2026, 12, 28)
    # BE consumer first reminder: the last day of the 14-day period (§2.2).
    assert payment_deadline(
        kind="first_reminder",
        sent_on=date(2026, 3, 2),
        country="BE",
        debtor_kind="consumer",
        channel="email",
        deadline_days=15,
    ) == date(2026, 3, 16)


def test_emails_may_leave_on_weekends_when_the_creditor_says_so_letters_never(
    deliverer,
):
    """Creditor.emails_on_non_working_days: e-mails go on a Saturday, a
    registered letter still waits for the next working day."""
    import datetime as dt

    from claims.services_run import _hold_until

    saturday = dt.date(2026, 11, 28)

    class FakeStep:
        kind = "first_reminder"
        channel = "email"
        min_days_since_contact = 0

    class FakeAction:
        step = FakeStep()

    class FakeClaim:
        reply_by = None
        last_contact_on = None
        creditor_id = 1

        class debtor:
            kind = "business"
            country = "BE"

    assert _hold_until(FakeAction(), FakeClaim(), False, saturday, False, "BE", True) is None
    held = _hold_until(FakeAction(), FakeClaim(), False, saturday, False, "BE", False)
    assert held[0] == dt.date(2026, 11, 30)
    FakeStep.channel = "registered"
    held = _hold_until(FakeAction(), FakeClaim(), False, saturday, False, "BE", True)
    assert held[0] == dt.date(2026, 11, 30)
