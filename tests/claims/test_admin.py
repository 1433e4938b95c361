"""The back-office: every model answers, staff see only their creditors,
the ledger is read-only and payments go through the service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.demo import seed_demo
from claims.models import Claim
from claims.models import Event
from claims.models import Payment
from claims.models import Stage
from tests import factories as f
from tests.figures import statement_balance

REGISTRY = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTRY]


@pytest.fixture
def demo_book(db):
    seed_demo(n_claims=40, today=dt.date(2026, 11, 26), seed=7)


@pytest.fixture
def superuser(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


def _url(model, view, *args):
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def test_every_claims_and_letters_model_is_registered():
    from django.apps import apps

    models = [*apps.get_app_config("claims").get_models(), *apps.get_app_config("letters").get_models()]  # fmt: skip
    missing = [m._meta.label for m in models if m not in admin.site._registry]
    assert missing == []


def test_the_site_header_is_french(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Recouvrement — administration" in response.text


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
def test_changelist_and_add_answer_for_a_superuser(
    client, superuser, demo_book, model, model_admin
):
    client.force_login(superuser)
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "Lejeune"}).status_code == 200
    request = type("R", (), {"user": superuser})()
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert client.get(_url(model, "add")).status_code == expected
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert client.get(_url(model, "change", first.pk)).status_code == 200


@pytest.fixture
def staff_of_a(cast):
    """alice, staff but not superuser, with every claims permission."""
    alice = cast.owner
    alice.is_staff = True
    alice.save()
    alice.user_permissions.set(
        Permission.objects.filter(content_type__app_label="claims")
    )
    return alice


def test_staff_see_only_their_creditors_rows(client, cast, staff_of_a):
    mine = f.ClaimFactory(creditor=cast.creditor)
    theirs = f.ClaimFactory(creditor=cast.other_creditor)
    client.force_login(staff_of_a)
    response = client.get(_url(Claim, "changelist"))
    assert list(response.context["cl"].queryset) == [mine]
    # Another creditor's claim does not exist for alice: the admin redirects.
    response = client.get(_url(Claim, "change", theirs.pk))
    assert response.status_code == 302
    creditors = client.get(_url(cast.creditor.__class__, "changelist"))
    assert list(creditors.context["cl"].queryset) == [cast.creditor]


def test_staff_cannot_pick_another_creditors_claim_for_a_payment(
    client, cast, staff_of_a
):
    theirs = f.ClaimFactory(creditor=cast.other_creditor)
    client.force_login(staff_of_a)
    response = client.post(
        _url(Payment, "add"),
        {
            "claim": theirs.pk,
            "amount": "10.00",
            "date": "2026-03-01",
            "method": "transfer",
        },
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert not Payment.objects.exists()


def test_a_payment_added_in_the_admin_goes_through_the_service(client, superuser):
    claim = f.ClaimFactory()
    client.force_login(superuser)
    response = client.post(
        _url(Payment, "add"),
        {
            "claim": claim.pk,
            "amount": "210.00",
            "date": "2026-03-01",
            "method": "transfer",
            "reference": "virement",
        },
    )
    assert response.status_code == 302, response.content
    payment = Payment.objects.get()
    assert payment.created_by == superuser
    claim.refresh_from_db()
    assert claim.paid == Decimal("210.00")
    assert claim.balance == statement_balance(claim)
    assert Event.objects.filter(claim=claim, kind=Event.Kind.PAYMENT).count() == 1


def test_a_negative_payment_is_refused_in_the_admin(client, superuser):
    claim = f.ClaimFactory()
    client.force_login(superuser)
    response = client.post(
        _url(Payment, "add"),
        {
            "claim": claim.pk,
            "amount": "-5.00",
            "date": "2026-03-01",
            "method": "transfer",
        },
    )
    assert response.status_code == 200
    assert "doit être positif" in response.text
    assert not Payment.objects.exists()


def test_payments_and_events_cannot_be_changed_or_deleted(client, superuser):
    from claims.ledger.services import payment_record

    claim = f.ClaimFactory()
    payment = payment_record(
        claim=claim, amount=Decimal("5.00"), on=dt.date(2026, 3, 1)
    )
    event = Event.objects.filter(claim=claim).first()
    client.force_login(superuser)
    for model, pk in ((Payment, payment.pk), (Event, event.pk)):
        assert (
            client.post(_url(model, "change", pk), {"amount": "1.00"}).status_code
            == 403
        )
        assert client.get(_url(model, "delete", pk)).status_code == 403
    assert Payment.objects.get().amount == Decimal("5.00")


def test_the_pause_action_pauses_and_writes_the_timeline(client, superuser):
    claim = f.ClaimFactory(stage=Stage.FORMAL_NOTICE)
    client.force_login(superuser)
    response = client.post(
        _url(Claim, "changelist"),
        {"action": "pause_claims", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.stage, claim.resume_stage) == (Stage.PAUSED, Stage.FORMAL_NOTICE)
    event = Event.objects.get(claim=claim, kind=Event.Kind.STAGE)
    assert (event.data["before"], event.data["after"]) == ("formal_notice", "paused")
    client.post(
        _url(Claim, "changelist"),
        {"action": "resume_claims", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.stage == Stage.FORMAL_NOTICE


def test_export_selected_claims_as_csv(client, superuser):
    a, b = f.ClaimFactory(reference="C-A"), f.ClaimFactory(reference="C-B")
    client.force_login(superuser)
    response = client.post(
        _url(Claim, "changelist"),
        {"action": "export_csv", "_selected_action": [a.pk, b.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3
    assert lines[0].split(";")[0] == "référence"
    assert sorted(line.split(";")[0] for line in lines[1:]) == ["C-A", "C-B"]


def test_staff_filters_name_only_their_creditors(client, cast, staff_of_a):
    f.ClaimFactory(creditor=cast.creditor)
    f.ClaimFactory(creditor=cast.other_creditor)
    client.force_login(staff_of_a)
    for model in (Claim, Event, Payment):
        page = client.get(_url(model, "changelist")).content.decode()
        assert cast.other_creditor.legal_name not in page, model


def test_staff_cannot_link_another_tenants_step_to_their_action(
    client, cast, staff_of_a, engine_seed
):
    from claims.models import Action
    from claims.models import ScenarioStep

    claim = f.ClaimFactory(creditor=cast.creditor)
    foreign = ScenarioStep.objects.exclude(scenario__creditor=cast.creditor).first()
    foreign.scenario.creditor = cast.other_creditor
    foreign.scenario.save()
    client.force_login(staff_of_a)
    response = client.post(
        _url(Action, "add"),
        {
            "claim": claim.pk,
            "creditor": cast.creditor.pk,
            "debtor": claim.debtor_id,
            "step": foreign.pk,
            "due_on": "2026-05-01",
            "state": "planned",
            "attempts": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Action.objects.filter(step=foreign).exists()
    # Another tenant's claim is refused too.
    other_claim = f.ClaimFactory(creditor=cast.other_creditor)
    response = client.post(
        _url(Action, "add"),
        {
            "claim": other_claim.pk,
            "creditor": cast.creditor.pk,
            "debtor": claim.debtor_id,
            "step": foreign.pk,
            "due_on": "2026-05-01",
            "state": "planned",
            "attempts": "0",
        },
    )
    assert response.status_code == 200
    assert not Action.objects.filter(claim=other_claim).exists()


def test_same_creditor_check_refuses_mixed_rows(cast):
    from django import forms

    from claims.admin.base import same_creditor_check
    from claims.models import Action

    mine = f.ClaimFactory(creditor=cast.creditor)
    theirs = f.DebtorFactory(creditor=cast.other_creditor)

    class F(forms.Form):
        claim = forms.Field()
        debtor = forms.Field()

    form = F(data={})
    form.cleaned_data = {}
    form.instance = Action()
    same_creditor_check(form, Action, {"claim": mine, "debtor": theirs})
    assert set(form.errors) == {"claim", "debtor"}


def test_the_admin_refuses_a_payment_before_the_first_invoice(client, superuser):
    claim = f.ClaimFactory()  # invoiced on 15/01/2026
    client.force_login(superuser)
    response = client.post(
        _url(Payment, "add"),
        {
            "claim": claim.pk,
            "amount": "210.00",
            "date": "2021-03-01",
            "method": "transfer",
        },
    )
    assert response.status_code == 200  # the form again, with the rule's message
    assert "première facture" in response.context["adminform"].form.errors["date"][0]
    assert not Payment.objects.exists()


def test_the_admin_refuses_a_credit_note_of_5000_on_a_780_claim(client, superuser):
    from claims.models import Invoice

    claim = f.ClaimFactory(invoices=[{"amount": Decimal("780.00")}])
    client.force_login(superuser)
    response = client.post(
        _url(Invoice, "add"),
        {
            "creditor": claim.creditor_id,
            "claim": claim.pk,
            "kind": "credit_note",
            "number": "NC-1",
            "issue_date": "2026-02-01",
            "due_date": "2026-02-01",
            "amount": "5000.00",
            "vat_amount": "0.00",
            "currency": "EUR",
            "source": "manual",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "780.00" in errors["amount"][0]
    assert not Invoice.objects.filter(kind="credit_note").exists()
