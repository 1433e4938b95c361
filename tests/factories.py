"""factory_boy factories keeping the creditor consistent across relations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from claims import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("pw-for-tests-1")


class CreditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Creditor

    legal_name = factory.Sequence(lambda n: f"Boulangerie {n} SRL")
    legal_form = "SRL"
    country = "BE"
    enterprise_number = "0403.170.701"
    vat_number = "BE0403170701"
    iban = "BE68539007547034"
    bic = "GKCCBEBB"
    email = factory.Sequence(lambda n: f"compta{n}@boulangerie.test")
    address_line1 = "Rue Léopold 12"
    postal_code = "4000"
    city = "Liège"
    time_zone = "Europe/Brussels"


class FrenchCreditorFactory(CreditorFactory):
    country = "FR"
    legal_form = "SARL"
    enterprise_number = "552100554"
    vat_number = "FR40303265045"
    iban = "FR1420041010050500013M02606"
    bic = ""
    postal_code = "69002"
    city = "Lyon"
    address_line1 = "12 rue de la République"
    time_zone = "Europe/Paris"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    user = factory.SubFactory(UserFactory)
    creditor = factory.SubFactory(CreditorFactory)
    role = m.Role.OWNER


class DebtorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Debtor

    creditor = factory.SubFactory(CreditorFactory)
    kind = m.DebtorKind.BUSINESS
    name = factory.Sequence(lambda n: f"Client {n} SA")
    email = factory.Sequence(lambda n: f"client{n}@client.test")
    enterprise_number = "0202.239.951"
    address_line1 = "Boulevard d'Avroy 1"
    postal_code = "4000"
    city = "Liège"
    country = factory.SelfAttribute("creditor.country")
    language = "fr"


class ConsumerFactory(DebtorFactory):
    kind = m.DebtorKind.CONSUMER
    name = factory.Sequence(lambda n: f"Jean Dupont {n}")
    enterprise_number = ""


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim with one invoice; totals refreshed like the services do."""

    class Meta:
        model = m.Claim
        skip_postgeneration_save = True  # claim_refresh_totals already saved it

    creditor = factory.SubFactory(CreditorFactory)
    debtor = factory.SubFactory(
        DebtorFactory, creditor=factory.SelfAttribute("..creditor")
    )
    reference = factory.Sequence(lambda n: f"C-{n:06d}")

    @factory.post_generation
    def invoices(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        from claims.ledger.services import claim_refresh_totals

        specs = extracted if extracted is not None else [{}]
        for i, spec in enumerate(specs):
            InvoiceFactory(
                claim=self,
                creditor=self.creditor,
                number=f"{self.reference}-{i + 1}",
                **spec,
            )
        claim_refresh_totals(claim=self)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Invoice

    claim = factory.SubFactory(ClaimFactory, invoices=[])
    creditor = factory.SelfAttribute("claim.creditor")
    number = factory.Sequence(lambda n: f"F-{n:06d}")
    issue_date = dt.date(2026, 1, 15)
    due_date = dt.date(2026, 2, 14)
    amount = Decimal("1210.00")
    vat_amount = Decimal("210.00")
    description = "Fournitures de boulangerie"


class RateFactory(factory.django.DjangoModelFactory):
    """A published half-year rate (defaults: BE commercial rate, S2 2026)."""

    class Meta:
        model = m.Rate
        django_get_or_create = ("kind", "valid_from")

    kind = m.Rate.Kind.BE_COMMERCIAL
    valid_from = dt.date(2026, 7, 1)
    valid_to = dt.date(2026, 12, 31)
    value = Decimal("10.00")
    source = "Moniteur belge (test)"


# --- letters: scenarios, steps and actions to deliver ---------------------


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Scenario

    creditor = factory.SubFactory(CreditorFactory)
    name = factory.Sequence(lambda n: f"Scénario {n}")
    country = factory.SelfAttribute("creditor.country")
    debtor_kind = m.DebtorKind.BUSINESS


class ScenarioStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ScenarioStep

    scenario = factory.SubFactory(ScenarioFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = "reminder"
    offset_days = 3
    channel = "email"
    template = "reminder"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Action

    claim = factory.SubFactory(ClaimFactory)
    creditor = factory.SelfAttribute("claim.creditor")
    debtor = factory.SelfAttribute("claim.debtor")
    step = factory.SubFactory(
        ScenarioStepFactory, scenario__creditor=factory.SelfAttribute("...creditor")
    )
    due_on = dt.date(2026, 3, 2)
