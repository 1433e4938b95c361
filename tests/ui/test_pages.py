"""The browser pages: roles, tenant isolation, figures and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from claims.models import Claim
from claims.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(cast):
    return f.ClaimFactory(creditor=cast.creditor)


def _pages(claim):
    return [
        reverse("claims:dashboard"),
        reverse("claims:claim_list"),
        reverse("claims:claim_detail", kwargs={"code": claim.code}),
        reverse("claims:debtor_list"),
        reverse("claims:debtor_detail", kwargs={"code": claim.debtor.code}),
        reverse("claims:claim_payment", kwargs={"code": claim.code}),
        reverse("claims:claim_note", kwargs={"code": claim.code}),
        reverse("claims:claim_pause", kwargs={"code": claim.code}),
        reverse("claims:claim_routes", kwargs={"code": claim.code}),
        reverse(
            "claims:claim_engine_action", kwargs={"code": claim.code, "key": "skip"}
        ),
        reverse("claims:claim_create"),
        reverse("claims:debtor_create"),
        reverse("claims:settings"),
        reverse("claims:settings_scenarios"),
        reverse("claims:settings_members"),
    ]


@pytest.mark.parametrize("who", ["owner", "colleague", "readonly"])
def test_it_shows_every_page_to_members(client, cast, claim, who):
    client.force_login(getattr(cast, who))
    for url in _pages(claim):
        assert client.get(url).status_code == 200, url


def test_it_hides_another_creditors_objects_with_404(client, cast, claim):
    client.force_login(cast.outsider)
    for url in _pages(claim):
        if str(claim.code) in url or str(claim.debtor.code) in url:
            assert client.get(url).status_code == 404, url
            assert (
                client.post(url, {"amount": "1", "on": "2026-01-01"}).status_code == 404
            )


def test_it_requires_login(client, claim):
    response = client.get(reverse("claims:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["claim_payment", "claim_note", "claim_pause"])
def test_it_refuses_writes_to_readonly(client, cast, claim, name):
    client.force_login(cast.readonly)
    url = reverse(f"claims:{name}", kwargs={"code": claim.code})
    response = client.post(
        url,
        {
            "amount": "10",
            "on": "2026-01-01",
            "method": "transfer",
            "message": "x",
            "until": "2099-01-01",
        },
    )
    assert response.status_code == 403
    assert claim.payments.count() == 0


def test_readonly_sees_no_action_buttons(client, cast, claim):
    client.force_login(cast.readonly)
    for name in ["claim_payment", "claim_note", "claim_pause"]:
        page = client.get(reverse(f"claims:{name}", kwargs={"code": claim.code}))
        assert "Confirmer" not in page.content.decode()
    body = client.get(claim.get_absolute_url()).content.decode()
    assert reverse("claims:claim_payment", kwargs={"code": claim.code}) not in body
    body = client.get(reverse("claims:claim_list")).content.decode()
    assert reverse("claims:claim_bulk") not in body or 'name="action"' not in body
    assert (
        client.post(reverse("claims:claim_bulk"), {"action": "pause"}).status_code
        == 403
    )
    assert (
        client.post(reverse("claims:debtor_create"), {"name": "X"}).status_code == 403
    )
    assert client.post(reverse("claims:settings"), {}).status_code == 403
    assert client.post(reverse("claims:settings_members"), {}).status_code == 403


def test_agent_cannot_change_settings_or_roles(client, cast):
    client.force_login(cast.colleague)
    assert client.post(reverse("claims:settings"), {}).status_code == 403
    membership = cast.owner.memberships.get()
    url = reverse("claims:member_role", kwargs={"pk": membership.pk})
    assert client.post(url, {"role": "readonly"}).status_code == 403


def test_it_records_a_partial_payment_and_shows_the_new_balance(client, cast, claim):
    client.force_login(cast.colleague)
    url = reverse("claims:claim_payment", kwargs={"code": claim.code})
    response = client.post(
        url, {"amount": "210,00", "on": "2026-03-01", "method": "transfer"}, follow=True
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.paid == Decimal("210.00")
    body = response.content.decode()
    # Principal left 1 000 €; the page shows the statement's total due
    # (interest and the 40 € indemnity included) in French format.
    from django.utils import timezone

    from claims.statements import claim_statement
    from claims.templatetags.money import format_money

    due = claim_statement(claim=claim, at=timezone.localdate()).total_due
    assert due > Decimal("1000.00")
    assert format_money(due, lang="fr") in body
    assert claim.balance == due  # the stored figure is the statement's
    assert claim.events.filter(kind=Event.Kind.PAYMENT).count() == 1


def test_it_refuses_a_negative_payment_with_a_message(client, cast, claim):
    client.force_login(cast.owner)
    url = reverse("claims:claim_payment", kwargs={"code": claim.code})
    response = client.post(
        url, {"amount": "-5", "on": "2026-03-01", "method": "transfer"}
    )
    assert response.status_code == 400
    assert claim.payments.count() == 0


def test_it_pauses_until_a_date_and_writes_an_event(client, cast, claim):
    client.force_login(cast.owner)
    url = reverse("claims:claim_pause", kwargs={"code": claim.code})
    response = client.post(url, {"until": "2099-05-01", "reason": "promesse"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.paused_until == dt.date(2099, 5, 1)
    # A promise to pay is the engine's "paused" side stage, on the timeline.
    assert claim.stage == "paused"
    event = claim.events.get(kind=Event.Kind.STAGE)
    assert event.data["paused_until"] == "2099-05-01"
    assert event.data["after"] == "paused"


def test_it_adds_a_note(client, cast, claim):
    client.force_login(cast.owner)
    url = reverse("claims:claim_note", kwargs={"code": claim.code})
    client.post(url, {"message": "Appelé le gérant"})
    assert claim.events.get(kind=Event.Kind.NOTE).message == "Appelé le gérant"


def test_engine_action_says_not_available_when_the_engine_is_missing(
    client, cast, claim
):
    client.force_login(cast.owner)
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": claim.code, "key": "skip"}
    )
    response = client.post(url, {"reason": ""})
    try:
        import claims.services_collection  # noqa: F401
    except ImportError:
        assert response.status_code == 400
        assert "pas encore disponible" in response.content.decode()


def test_it_creates_a_debtor_with_identifier_validation(client, cast):
    client.force_login(cast.owner)
    url = reverse("claims:debtor_create")
    data = {
        "kind": "business",
        "name": "Café du Pont SRL",
        "enterprise_number": "0403.170.702",
        "language": "fr",
        "country": "BE",
        "iban": "BE68539007547035",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "enterprise_number" in form.errors
    assert "iban" in form.errors
    data.update(enterprise_number="0403.170.701", iban="BE68 5390 0754 7034")
    response = client.post(url, data)
    assert response.status_code == 302
    debtor = cast.creditor.debtors.get(name="Café du Pont SRL")
    assert debtor.iban == "BE68539007547034"


def test_it_opens_a_claim_with_two_invoices(client, cast):
    debtor = f.DebtorFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    data = {
        "debtor": debtor.pk,
        "reference": "",
        "inv-TOTAL_FORMS": "2",
        "inv-INITIAL_FORMS": "0",
        "inv-MIN_NUM_FORMS": "1",
        "inv-MAX_NUM_FORMS": "1000",
        "inv-0-number": "F-1",
        "inv-0-issue_date": "2026-01-05",
        "inv-0-due_date": "2026-02-04",
        "inv-0-amount": "100,50",
        "inv-1-number": "F-2",
        "inv-1-issue_date": "2026-01-10",
        "inv-1-due_date": "2026-02-09",
        "inv-1-amount": "200",
    }
    response = client.post(reverse("claims:claim_create"), data)
    assert response.status_code == 302
    claim = Claim.objects.get(debtor=debtor)
    assert claim.principal == Decimal("300.50")
    assert claim.invoices.count() == 2


def test_claim_form_refuses_a_due_date_before_the_invoice(client, cast):
    debtor = f.DebtorFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    data = {
        "debtor": debtor.pk,
        "inv-TOTAL_FORMS": "1",
        "inv-INITIAL_FORMS": "0",
        "inv-MIN_NUM_FORMS": "1",
        "inv-MAX_NUM_FORMS": "1000",
        "inv-0-number": "F-1",
        "inv-0-issue_date": "2026-03-05",
        "inv-0-due_date": "2026-02-04",
        "inv-0-amount": "100",
    }
    response = client.post(reverse("claims:claim_create"), data)
    assert response.status_code == 200
    assert not Claim.objects.filter(debtor=debtor).exists()


def test_claim_form_offers_only_own_debtors(client, cast):
    foreign = f.DebtorFactory(creditor=cast.other_creditor)
    client.force_login(cast.owner)
    data = {
        "debtor": foreign.pk,
        "inv-TOTAL_FORMS": "1",
        "inv-INITIAL_FORMS": "0",
        "inv-MIN_NUM_FORMS": "1",
        "inv-MAX_NUM_FORMS": "1000",
        "inv-0-number": "F-1",
        "inv-0-issue_date": "2026-01-05",
        "inv-0-due_date": "2026-02-04",
        "inv-0-amount": "100",
    }
    response = client.post(reverse("claims:claim_create"), data)
    assert response.status_code == 200
    assert not Claim.objects.filter(debtor=foreign).exists()


def test_switcher_changes_creditor_and_refuses_foreign(client, cast):
    f.MembershipFactory(user=cast.owner, creditor=cast.other_creditor, role="readonly")
    client.force_login(cast.owner)
    body = client.get(reverse("claims:dashboard")).content.decode()
    assert str(cast.other_creditor.code) in body
    client.post(
        reverse("claims:switch_creditor"), {"creditor": str(cast.other_creditor.code)}
    )
    response = client.get(reverse("claims:dashboard"))
    assert response.context["membership"].creditor_id == cast.other_creditor.pk
    third = f.CreditorFactory()
    response = client.post(
        reverse("claims:switch_creditor"), {"creditor": str(third.code)}
    )
    assert response.status_code == 404


def test_list_filters_search_and_csv(client, cast):
    a = f.ClaimFactory(creditor=cast.creditor, debtor__name="Garage Lambert")
    b = f.ClaimFactory(creditor=cast.creditor, debtor__name="Fleuriste Rose")
    Claim.objects.filter(pk=b.pk).update(stage="formal_notice")
    client.force_login(cast.owner)
    url = reverse("claims:claim_list")
    page = client.get(url, {"q": "lambert"}).context["page"]
    assert [c.pk for c in page] == [a.pk]
    page = client.get(url, {"q": a.invoices.get().number}).context["page"]
    assert [c.pk for c in page] == [a.pk]
    page = client.get(url, {"stage": "formal_notice"}).context["page"]
    assert [c.pk for c in page] == [b.pk]
    response = client.get(url, {"format": "csv", "q": "rose"})
    text = response.content.decode("utf-8-sig")
    assert "Fleuriste Rose" in text
    assert "Garage Lambert" not in text


def test_bulk_pause(client, cast):
    a = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.colleague)
    client.post(
        reverse("claims:claim_bulk"), {"action": "pause", "claims": [str(a.code)]}
    )
    a.refresh_from_db()
    assert a.paused_until is not None


@pytest.mark.parametrize(
    ("lang", "heading", "pattern"),
    [
        ("fr", "Tableau de bord", "\u00a0€"),
        ("nl", "Dashboard", "€\u00a0"),
        ("en", "Dashboard", "€"),
    ],
)
def test_dashboard_speaks_the_users_language(
    client, cast, claim, lang, heading, pattern
):
    from claims.statements import claim_statement
    from claims.statements import creditor_today
    from claims.templatetags.money import format_money

    client.force_login(cast.owner)
    client.post(reverse("set_language"), {"language": lang})
    body = client.get(reverse("claims:dashboard")).content.decode()
    assert f'<html lang="{lang}">' in body
    assert heading in body
    # The outstanding amount is the statement's total due, in the user's format.
    due = claim_statement(claim=claim, at=creditor_today(cast.creditor)).total_due
    amount = format_money(due, lang=lang)
    assert pattern in amount
    assert amount in body


def test_password_reset_sends_a_link_by_email(client, cast, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": cast.owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body
    assert "nouveau mot de passe" in mailoutbox[0].subject


def test_engine_actions_call_the_engine_with_its_signature(
    client, cast, claim, monkeypatch
):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)

    from claims.views import actions

    monkeypatch.setattr(actions, "engine_service", lambda key: fake)
    client.force_login(cast.owner)
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": claim.code, "key": "close"}
    )
    response = client.post(url, {"closed_reason": "written_off", "reason": "faillite"})
    assert response.status_code == 302
    assert calls == [
        {
            "claim_id": claim.pk,
            "closed_reason": "written_off",
            "actor": cast.owner,
            "note": "faillite",
        }
    ]
    url = reverse(
        "claims:claim_engine_action", kwargs={"code": claim.code, "key": "dispute_open"}
    )
    client.post(url, {"reason": "marchandise abîmée"})
    assert calls[-1] == {
        "claim_id": claim.pk,
        "reason": "marchandise abîmée",
        "actor": cast.owner,
    }
    body = client.get(claim.get_absolute_url()).content.decode()
    assert "Enregistrer une contestation" in body


def test_scenario_pages_roles(client, cast):
    from claims.models import Scenario
    from claims.models import ScenarioStep

    default = Scenario.objects.create(
        name="BE B2B", country="BE", debtor_kind="business"
    )
    ScenarioStep.objects.create(
        scenario=default, position=1, kind="first_reminder", offset_days=7, template="r"
    )
    own = Scenario.objects.create(
        name="Mine", country="BE", debtor_kind="business", creditor=cast.creditor
    )
    edit = reverse("claims:scenario_edit", kwargs={"code": own.code})
    copy = reverse("claims:scenario_copy", kwargs={"code": default.code})
    client.force_login(cast.readonly)
    assert client.get(edit).status_code == 200
    assert client.post(copy).status_code == 403
    assert client.post(edit, {}).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(edit).status_code == 404
    client.force_login(cast.owner)
    body = client.get(reverse("claims:settings_scenarios")).content.decode()
    assert copy in body
    assert client.post(copy).status_code == 302


def test_owner_saves_settings_and_sees_iban_message(client, cast):
    client.force_login(cast.owner)
    url = reverse("claims:settings")
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    data.update(iban="BE68539007547035", send_hour="8")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "iban" in response.context["form"].errors
    data.update(iban="BE68 5390 0754 7034")
    assert client.post(url, data).status_code == 302
    cast.creditor.refresh_from_db()
    assert cast.creditor.send_hour == 8


def test_owner_changes_a_role_but_keeps_one_owner(client, cast):
    client.force_login(cast.owner)
    bob = cast.colleague.memberships.get()
    client.post(
        reverse("claims:member_role", kwargs={"pk": bob.pk}), {"role": "manager"}
    )
    bob.refresh_from_db()
    assert bob.role == "manager"
    alice = cast.owner.memberships.get()
    client.post(
        reverse("claims:member_role", kwargs={"pk": alice.pk}), {"role": "agent"}
    )
    alice.refresh_from_db()
    assert alice.role == "owner"


def test_letter_confirmation_page(client, cast, claim):
    client.force_login(cast.owner)
    url = reverse(
        "claims:claim_letter", kwargs={"code": claim.code, "key": "formal_notice"}
    )
    body = client.get(url).content.decode()
    assert "Générer la mise en demeure" in body
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


def test_the_rate_not_published_notice_is_for_staff_only(client, cast):
    """Issue 13, item 7: the fallback-rate notice is for the operators who keep
    the rate tables; the owner sees the interest line marked provisional."""
    import datetime as dt

    from claims.law.statement import FALLBACK_WARNING
    from claims.models import Rate

    claim = f.ClaimFactory(creditor=cast.creditor)
    latest = Rate.objects.filter(kind="be_commercial").order_by("-valid_from").first()
    Rate.objects.filter(kind="be_commercial", valid_from__gte=latest.valid_from).delete()
    url = reverse("claims:claim_detail", args=[claim.code])
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)):
        client.force_login(cast.owner)
        owner_page = client.get(url).content.decode()
        cast.owner.is_staff = True
        cast.owner.save()
        staff_page = client.get(url).content.decode()
    assert FALLBACK_WARNING not in owner_page
    assert FALLBACK_WARNING in staff_page
