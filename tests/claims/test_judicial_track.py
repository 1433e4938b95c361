"""The judicial track in the claim workspace: hand-off → served → title →
enforcement → paid, for a Belgian and a French route, with legal deadlines
(legal-brief §3.1, §8.2), costs, documents archived with their SHA-256, and
judicial costs in the statement only once a title says so."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.law import routes as r
from claims.law.judicial import step_deadline
from claims.law.plans import add_months
from claims.ledger.statements import claim_statement
from claims.models import Claim
from claims.models import Event
from claims.models import JudicialCase
from claims.models import JudicialStep
from claims.models import LegalContact
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% writ of service\n"


def _pdf(name: str, body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _step(client, claim, **data):
    url = reverse("claims:judicial_step", kwargs={"code": claim.code})
    return client.post(url, data)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _judicial_fees(claim):
    st = claim_statement(claim=Claim.objects.get(pk=claim.pk), at=_today())
    return [x for x in st.fees if x.label.startswith("Frais de justice")], st


def test_deadlines_follow_the_brief():
    served = dt.date(2026, 1, 31)
    # §3.1: one month to react + 8 days (31 Jan + 1 month = 28 Feb).
    assert step_deadline(r.BE_UNCONTESTED, "served", served).on == dt.date(2026, 3, 8)
    # §3.2: 15 days of the prior summons to pay.
    assert step_deadline(r.BE_ORDER_TO_PAY, "served", served).on == dt.date(2026, 2, 15)
    # §8.2: opposition within one month; the order lapses after 6 months unserved.
    assert step_deadline(r.FR_INJONCTION, "served", served).on == dt.date(2026, 2, 28)
    assert step_deadline(r.FR_INJONCTION, "title", served).on == dt.date(2026, 7, 31)
    # §9: 30 days to oppose a European order.
    assert step_deadline(r.EU_PAYMENT_ORDER, "served", served).on == dt.date(2026, 3, 2)
    assert step_deadline(r.BE_SUMMONS_JP, "served", served) is None
    assert add_months(dt.date(2024, 12, 31), 2) == dt.date(2025, 2, 28)


def test_belgian_uncontested_route_walked_in_the_workspace(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)  # 1 210 €, due 14/02/2026
    client.force_login(cast.owner)
    routes_page = client.get(
        reverse("claims:claim_routes", kwargs={"code": claim.code})
    )
    assert b'data-testid="handoff-be_uncontested_b2b"' in routes_page.content
    assert b"handoff-fr_" not in routes_page.content  # never French for BE vs BE
    handoff = reverse("claims:judicial_handoff", kwargs={"code": claim.code})
    response = client.post(
        handoff,
        {
            "route": r.BE_UNCONTESTED,
            "new_name": "Me Lambert, huissier",
            "new_kind": "bailiff",
            "new_email": "lambert@huissier.test",
            "new_phone": "+32 4 222 33 44",
            "new_address": "Rue Féronstrée 1, 4000 Liège",
            "on": "2026-10-01",
            "costs_advanced": "150.00",
            "document": _pdf("mandat.pdf"),
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.stage == "judicial"
    case = JudicialCase.objects.get(claim=claim)
    assert case.contact.name == "Me Lambert, huissier"
    assert LegalContact.objects.for_creditor(cast.creditor).count() == 1

    assert (
        _step(
            client,
            claim,
            kind="served",
            on="2026-10-05",
            costs_advanced="100",
            document=_pdf("sommation.pdf", PDF + b"served"),
        ).status_code
        == 302
    )
    served = JudicialStep.objects.get(case=case, kind="served")
    assert served.deadline == dt.date(2026, 11, 13)  # 5/11 + 8 days (§3.1)
    assert served.document_sha256 == hashlib.sha256(PDF + b"served").hexdigest()
    page = client.get(claim.get_absolute_url())
    assert b'data-testid="judicial-track"' in page.content
    assert "13/11/2026" in page.content.decode()
    assert b'data-testid="judicial-step-form"' in page.content

    # No judicial costs on the statement before a title says so.
    fees, before = _judicial_fees(claim)
    assert fees == []
    _step(client, claim, kind="title", on="2026-11-14", costs_awarded="180.00")
    fees, after = _judicial_fees(claim)
    assert [x.amount for x in fees] == [Decimal("180.00")]
    assert "14/11/2026" in fees[0].legal_basis
    assert after.total_due == before.total_due + Decimal("180.00")
    reminders = client.get(claim.get_absolute_url()).content
    assert b'data-testid="judicial-reminders"' not in reminders  # settled

    _step(client, claim, kind="enforcement", on="2026-11-20", amount_collected="500")
    rest = claim_statement(claim=Claim.objects.get(pk=claim.pk), at=_today())
    _step(
        client,
        claim,
        kind="closed",
        on=str(_today()),
        amount_collected=str(rest.total_due),
        costs_recovered="180.00",
        outcome="paid",
    )
    claim.refresh_from_db()
    case.refresh_from_db()
    assert claim.status == "closed"
    assert claim.closed_reason == "paid"
    assert (case.served_on, case.title_obtained_on, case.enforcement_on) == (
        dt.date(2026, 10, 5),
        dt.date(2026, 11, 14),
        dt.date(2026, 11, 20),
    )
    assert case.costs_advanced == Decimal("250.00")
    assert case.costs_recovered == Decimal("180.00")
    assert case.amount_recovered == Decimal("500.00") + rest.total_due
    assert case.outcome == "paid"
    kinds = list(
        Event.objects.filter(claim=claim, kind="judicial")
        .order_by("pk")
        .values_list("data__step", flat=True)
    )
    assert kinds == ["handoff", "served", "title", "enforcement", "closed"]
    doc = client.get(
        reverse(
            "claims:judicial_document",
            kwargs={"code": served.code},
        )
    )
    assert doc.status_code == 200
    assert b"".join(doc.streaming_content) == PDF + b"served"


def test_french_injonction_walked_with_its_deadlines(client, cast):
    creditor = cast.other_creditor
    claim = f.ClaimFactory(creditor=creditor, invoices=[{"amount": Decimal("3000.00")}])
    client.force_login(cast.outsider)  # charlie owns the French creditor
    response = client.post(
        reverse("claims:judicial_handoff", kwargs={"code": claim.code}),
        {
            "route": r.FR_INJONCTION,
            "new_name": "SCP Martin, commissaires de justice",
            "new_kind": "bailiff",
            "on": "2026-08-20",
        },
    )
    assert response.status_code == 302
    case = JudicialCase.objects.get(claim=claim)
    # §8.2: the order (title) must be served within 6 months, then one month
    # for opposition.
    _step(client, claim, kind="title", on="2026-09-01", costs_awarded="35.00")
    _step(client, claim, kind="served", on="2026-09-10", costs_advanced="120")
    steps = {s.kind: s for s in JudicialStep.objects.filter(case=case)}
    assert steps["title"].deadline == dt.date(2027, 3, 1)
    assert steps["served"].deadline == dt.date(2026, 10, 10)
    fees, _st = _judicial_fees(claim)
    assert [x.amount for x in fees] == [Decimal("35.00")]
    _step(client, claim, kind="enforcement", on="2026-10-20", amount_collected="1000")
    rest = claim_statement(claim=Claim.objects.get(pk=claim.pk), at=_today())
    _step(
        client,
        claim,
        kind="closed",
        on=str(_today()),
        amount_collected=str(rest.total_due),
        outcome="paid",
    )
    claim.refresh_from_db()
    case.refresh_from_db()
    assert claim.status == "closed"
    assert case.outcome == "paid"
    assert case.costs_advanced == Decimal("120.00")


def test_route_not_open_to_the_claim_is_refused(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    client.post(
        reverse("claims:judicial_handoff", kwargs={"code": claim.code}),
        {"route": r.FR_INJONCTION, "on": "2026-10-01"},
    )
    assert not JudicialCase.objects.filter(claim=claim).exists()
    consumer = f.ClaimFactory(
        creditor=cast.creditor,
        debtor=f.ConsumerFactory(creditor=cast.creditor),
    )
    client.post(
        reverse("claims:judicial_handoff", kwargs={"code": consumer.code}),
        {"route": r.BE_UNCONTESTED, "on": "2026-10-01"},
    )
    assert not JudicialCase.objects.filter(claim=consumer).exists()


def test_read_only_sees_no_form_and_another_creditor_gets_404(client, cast):
    claim = f.ClaimFactory(creditor=cast.creditor)
    client.force_login(cast.owner)
    client.post(
        reverse("claims:judicial_handoff", kwargs={"code": claim.code}),
        {"route": r.BE_UNCONTESTED, "on": "2026-10-01"},
    )
    client.force_login(cast.readonly)
    page = client.get(claim.get_absolute_url())
    assert b'data-testid="judicial-track"' in page.content
    assert b'data-testid="judicial-step-form"' not in page.content
    assert _step(client, claim, kind="served", on="2026-10-05").status_code == 403
    client.force_login(cast.colleague)  # an agent may record steps
    assert _step(client, claim, kind="served", on="2026-10-05").status_code == 302
    client.force_login(cast.outsider)
    assert _step(client, claim, kind="title", on="2026-10-06").status_code == 404
    served = JudicialStep.objects.get(case__claim=claim, kind="served")
    assert (
        client.get(
            reverse(
                "claims:judicial_document",
                kwargs={"code": served.code},
            )
        ).status_code
        == 404
    )
    assert JudicialStep.objects.filter(case__claim=claim).count() == 2


def test_a_near_judicial_deadline_is_a_decision_on_the_dashboard(client, cast):
    from claims.judicial.services import judicial_open
    from claims.judicial.services import step_record
    from claims.ledger import selectors

    claim = f.ClaimFactory(creditor=cast.creditor)
    today = _today()
    case = judicial_open(
        claim_id=claim.pk,
        route=r.FR_INJONCTION,
        actor=cast.owner,
        on=today - dt.timedelta(days=30),
    )
    before = selectors.decisions_needed(creditor_id=cast.creditor.pk, today=today)
    assert before["judicial_deadlines"] == 0
    # Served 25 days ago: the month to oppose (art. 1416 CPC) ends within 14 days.
    served = today - dt.timedelta(days=25)
    step_record(case=case, kind="served", on=served, actor=cast.owner)
    after = selectors.decisions_needed(creditor_id=cast.creditor.pk, today=today)
    assert after["judicial_deadlines"] == 1
    assert after["total"] == before["total"] + 1
    client.force_login(cast.owner)
    html = client.get(reverse("claims:dashboard")).content.decode()
    assert "échéance proche ou dépassée" in html
    # The title recorded after it settles the period to oppose.
    step_record(case=case, kind="title", on=today, actor=cast.owner)
    settled = selectors.decisions_needed(creditor_id=cast.creditor.pk, today=today)
    assert settled["judicial_deadlines"] == 0


@pytest.mark.parametrize(
    ("route", "french", "amount"),
    [
        (r.BE_UNCONTESTED, False, "1210.00"),
        (r.BE_ORDER_TO_PAY, False, "1210.00"),
        (r.BE_SUMMONS_JP, False, "1210.00"),
        (r.BE_SUMMONS_ENTERPRISE, False, "6000.00"),
        (r.FR_SMALL_CLAIMS, True, "1210.00"),
        (r.FR_INJONCTION, True, "1210.00"),
        (r.FR_REFERE, True, "1210.00"),
    ],
)
def test_every_belgian_and_french_route_walks_to_paid(
    client, cast, route, french, amount
):
    creditor = cast.other_creditor if french else cast.creditor
    user = cast.outsider if french else cast.owner
    claim = f.ClaimFactory(creditor=creditor, invoices=[{"amount": Decimal(amount)}])
    client.force_login(user)
    client.post(
        reverse("claims:judicial_handoff", kwargs={"code": claim.code}),
        {"route": route, "on": "2026-08-03", "document": _pdf("mandat.pdf")},
    )
    case = JudicialCase.objects.get(claim=claim)
    assert case.route == route
    _step(client, claim, kind="served", on="2026-08-10", costs_advanced="90")
    _step(client, claim, kind="title", on="2026-09-15", costs_awarded="60")
    fees, _st = _judicial_fees(claim)
    assert [x.amount for x in fees] == [Decimal("60.00")]
    _step(client, claim, kind="enforcement", on="2026-10-01", amount_collected="100")
    rest = claim_statement(claim=Claim.objects.get(pk=claim.pk), at=_today())
    _step(
        client,
        claim,
        kind="closed",
        on=str(_today()),
        amount_collected=str(rest.total_due),
        outcome="paid",
    )
    claim.refresh_from_db()
    case.refresh_from_db()
    assert (claim.status, case.outcome) == ("closed", "paid")
    assert case.costs_advanced == Decimal("90.00")
    assert JudicialStep.objects.filter(case=case).count() == 5
    assert (
        JudicialStep.objects.filter(case=case).exclude(document_sha256="").count() == 1
    )
