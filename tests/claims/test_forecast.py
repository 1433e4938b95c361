"""The dashboard's forecast is what the next ticks actually do.

``collection_forecast`` projects, day by day, the tick's own selection and
rules; these tests run the real ticks (``collection_run_sync``) afterwards
and compare debtor by debtor, action by action.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from claims.engine.run import collection_forecast
from claims.engine.run import collection_run_sync
from claims.models import Action
from claims.models import Claim
from tests import factories as f
from tests.claims.engine_fixtures import at
from tests.claims.engine_fixtures import open_claim

TODAY = date(2026, 3, 2)  # a Monday


def _sent(deliverer, since: int) -> set[tuple[int, frozenset[int]]]:
    return {
        (d.debtor_id, frozenset(d.action_ids)) for d in deliverer.deliveries[since:]
    }


def _forecast_for(entries, day: date) -> set[tuple[int, frozenset[int]]]:
    return {(e.debtor_id, frozenset(e.action_ids)) for e in entries if e.day == day}


@pytest.fixture
def book(db, engine_seed):
    creditor = f.CreditorFactory()
    business = f.DebtorFactory(creditor=creditor)
    consumer = f.ConsumerFactory(creditor=creditor)
    other = f.DebtorFactory(creditor=creditor)
    # Due long ago, recently, today and next week; two claims for one debtor.
    open_claim(creditor, business, due=TODAY - timedelta(days=40), n=1)
    open_claim(creditor, business, due=TODAY - timedelta(days=3), n=2)
    open_claim(creditor, consumer, due=TODAY - timedelta(days=7), amount="180.00")
    open_claim(creditor, other, due=TODAY + timedelta(days=4))
    return creditor


def test_today_s_forecast_is_what_the_tick_sends(book, deliverer):
    forecast = collection_forecast(creditor_id=book.pk, today=TODAY)
    expected = _forecast_for(forecast, TODAY)
    assert expected, "something is due today"
    collection_run_sync(now=at(TODAY))
    assert _sent(deliverer, 0) == expected


def test_the_week_ahead_is_what_the_next_ticks_send(book, deliverer):
    forecast = collection_forecast(creditor_id=book.pk, today=TODAY, days=7)
    for i in range(8):
        day = TODAY + timedelta(days=i)
        before = len(deliverer.deliveries)
        collection_run_sync(now=at(day))
        assert _sent(deliverer, before) == _forecast_for(forecast, day), day
    assert len({e.day for e in forecast}) > 1  # more than one day was forecast


def test_the_forecast_writes_nothing(book):
    before = sorted(Action.objects.values_list("pk", "state", "due_on", "reason"))
    claims = sorted(Claim.objects.values_list("pk", "stage", "last_contact_on"))
    collection_forecast(creditor_id=book.pk, today=TODAY, days=7)
    assert sorted(Action.objects.values_list("pk", "state", "due_on", "reason")) == (
        before
    )
    assert sorted(Claim.objects.values_list("pk", "stage", "last_contact_on")) == (
        claims
    )


def test_a_disputed_claim_is_not_forecast(book, deliverer):
    from claims.engine.collection import dispute_open

    claim = Claim.objects.filter(debtor__kind="consumer").get()
    dispute_open(
        claim_id=claim.pk, reason="contesté", actor=None, source="debtor", today=TODAY
    )
    forecast = collection_forecast(creditor_id=book.pk, today=TODAY, days=7)
    assert all(a.claim_id != claim.pk for e in forecast for a in e.actions)


def test_the_dashboard_shows_the_forecast_grouped_by_debtor(book, client):
    import time_machine

    owner = f.MembershipFactory(creditor=book, role="owner").user
    client.force_login(owner)
    with time_machine.travel(at(TODAY), tick=False):
        response = client.get("/")
    assert response.status_code == 200
    forecast = response.context["forecast"]
    assert forecast
    assert len({(e.day, e.debtor_id) for e in forecast}) == len(forecast)
    business = Claim.objects.filter(debtor__kind="business").first().debtor
    assert business.name in response.content.decode()


def test_collect_at_takes_a_date_or_an_iso_datetime():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from claims.management.commands.collect import parse_at

    brussels = ZoneInfo("Europe/Brussels")
    assert parse_at("2026-03-02") == datetime(2026, 3, 2, 23, tzinfo=brussels)
    morning = parse_at("2026-03-02T08:15:00+01:00")
    assert morning.astimezone(brussels).hour == 8
    assert parse_at("2026-03-02T08:15").tzinfo is not None  # read in TIME_ZONE


def test_collect_at_a_morning_before_the_send_hour_sends_nothing(book, deliverer):
    from django.core.management import call_command

    call_command("collect", "--at", f"{TODAY.isoformat()}T07:00:00+01:00")
    assert not deliverer.deliveries
    call_command("collect", "--at", TODAY.isoformat())
    assert deliverer.deliveries


@pytest.fixture
def busy_book(book):
    """The book plus the cases that made the old forecast lie: a claim whose
    every step is long past (one step a day at most, never all "today"), a
    disputed claim, a promise to pay ending mid-week and a consumer."""
    from claims.engine.collection import dispute_open
    from claims.engine.collection import pause_until

    ancient = f.DebtorFactory(creditor=book)
    open_claim(book, ancient, due=TODAY - timedelta(days=200))
    disputed = open_claim(
        book, f.DebtorFactory(creditor=book), due=TODAY - timedelta(days=20)
    )
    dispute_open(claim_id=disputed.pk, reason="livraison incomplète", actor=None)
    promised = open_claim(
        book, f.DebtorFactory(creditor=book), due=TODAY - timedelta(days=25)
    )
    pause_until(
        claim_id=promised.pk,
        until=TODAY + timedelta(days=3),
        actor=None,
        reason="promesse",
        today=TODAY,
    )
    open_claim(book, f.ConsumerFactory(creditor=book), due=TODAY - timedelta(days=1))
    return book


def test_collect_at_each_of_the_next_7_days_does_what_the_forecast_said(
    busy_book, deliverer
):
    from django.core.management import call_command

    forecast = collection_forecast(creditor_id=busy_book.pk, today=TODAY, days=7)
    # One entry per debtor and day; one step per claim and day.
    assert len({(e.day, e.debtor_id) for e in forecast}) == len(forecast)
    for entry in forecast:
        claims = [a.claim_id for a in entry.actions]
        assert len(claims) == len(set(claims)), entry
    # Nothing is forecast in the past, nothing stale.
    assert all(TODAY <= e.day <= TODAY + timedelta(days=7) for e in forecast)
    for i in range(8):
        day = TODAY + timedelta(days=i)
        before = len(deliverer.deliveries)
        call_command("collect", "--at", day.isoformat())
        assert _sent(deliverer, before) == _forecast_for(forecast, day), day
    assert len({e.day for e in forecast}) > 2
    disputed = Claim.objects.get(stage="disputed")
    assert not any(a.claim_id == disputed.pk for e in forecast for a in e.actions)


def test_the_claim_page_announces_the_day_the_forecast_sends(busy_book, client):
    """One rule: the claim page's "next step" date is the forecast's day."""
    import time_machine

    owner = f.MembershipFactory(creditor=busy_book, role="owner").user
    client.force_login(owner)
    forecast = collection_forecast(creditor_id=busy_book.pk, today=TODAY, days=7)
    first: dict[int, date] = {}
    for entry in forecast:
        for action in entry.actions:
            first.setdefault(action.claim_id, entry.day)
    assert first
    checked = 0
    with time_machine.travel(at(TODAY), tick=False):
        for claim in Claim.objects.filter(pk__in=first, stage="amicable"):
            response = client.get(claim.get_absolute_url())
            assert response.context["next_send_day"] == first[claim.pk], claim
            checked += 1
    assert checked >= 2


def test_the_claim_page_lists_each_planned_step_on_the_day_the_ticks_send_it(
    busy_book, client, deliverer
):
    """One rule: every planned step of the claim page's list is shown on the
    day the ticks really send it (not the scenario's planned date, which a
    deadline, a weekend or the pace may push), and the list agrees with the
    "next step" card. Played by the real ticks for 75 days, nothing paid."""
    import time_machine
    from django.core.management import call_command

    owner = f.MembershipFactory(creditor=busy_book, role="owner").user
    client.force_login(owner)
    shown: dict[int, date] = {}
    with time_machine.travel(at(TODAY), tick=False):
        for claim in Claim.objects.filter(creditor=busy_book, stage="amicable"):
            response = client.get(claim.get_absolute_url())
            listed = [(a, day) for a, day in response.context["actions"] if day]
            if not listed:
                continue
            days = [day for _a, day in listed]
            assert days == sorted(days), claim
            assert days[0] >= TODAY, claim
            assert len(set(days)) == len(days), "one step per claim and day"
            assert response.context["next_send_day"] == min(days), claim
            assert b'data-testid="planned-day"' in response.content
            shown.update({a.pk: day for a, day in listed})
    assert len(shown) >= 6
    sent: dict[int, date] = {}
    for i in range(76):
        day = TODAY + timedelta(days=i)
        call_command("collect", "--at", day.isoformat())
        for pk in Action.objects.filter(
            pk__in=shown, state=Action.State.DONE
        ).values_list("pk", flat=True):
            sent.setdefault(pk, day)
    assert sent, "the ticks sent some of the listed steps"
    # Every listed step the ticks sent went on the day shown, and none of the
    # steps shown within the period is still waiting.
    assert {pk: shown[pk] for pk in sent} == sent
    last = TODAY + timedelta(days=75)
    unsent = {pk: d for pk, d in shown.items() if pk not in sent and d <= last}
    assert not unsent


@pytest.mark.parametrize("debtors_first", [1, 2, 1000])
def test_a_limited_forecast_is_the_start_of_the_full_one(
    book, monkeypatch, debtors_first
):
    """The dashboard asks for its first rows only: the days after the one that
    reaches the limit are skipped, and first only the first debtors are
    simulated; the rows it shows are the same."""
    from claims.engine import run as services_run

    full = collection_forecast(creditor_id=book.pk, today=TODAY, days=7)
    monkeypatch.setattr(services_run, "FORECAST_DEBTORS_FIRST", debtors_first)

    def key(entries):
        return [(e.day, e.debtor_id, e.action_ids) for e in entries]

    assert len({e.day for e in full}) > 1
    for n in range(1, len(full) + 1):
        limited = collection_forecast(creditor_id=book.pk, today=TODAY, days=7, limit=n)
        assert n <= len(limited) <= len(full)
        assert key(limited) == key(full[: len(limited)])
        assert key(limited[:n]) == key(full[:n])
