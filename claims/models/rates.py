"""Dated legal rates (legal-brief §0, §12): data, never constants in code."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rate(models.Model):
    """One value of one rate series over [valid_from, valid_to] (both inclusive)."""

    class Kind(models.TextChoices):
        BE_COMMERCIAL = (
            "be_commercial",
            _("BE — taux des transactions commerciales (loi du 2 août 2002)"),
        )
        BE_LEGAL = "be_legal", _("BE — taux d'intérêt légal")
        FR_B2B = (
            "fr_b2b",
            _(
                "FR — taux de la Banque centrale européenne + 10 points (art. L441-10 C. com.)"
            ),
        )
        FR_LEGAL_PRIVATE = (
            "fr_legal_private",
            _("FR — taux légal, créancier personne physique"),
        )
        FR_LEGAL_OTHER = "fr_legal_other", _("FR — taux légal, autres cas")
        ECB_MRO = (
            "ecb_mro",
            _(
                "Banque centrale européenne — taux des opérations principales de refinancement"
            ),
        )

    kind = models.CharField(_("série"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("du"))
    valid_to = models.DateField(
        _("au"), null=True, blank=True, help_text=_("Vide = jusqu'à nouvel ordre.")
    )
    value = models.DecimalField(_("taux (%/an)"), max_digits=6, decimal_places=3)
    source = models.CharField(_("source"), max_length=500)
    confirmed = models.BooleanField(
        _("confirmé"),
        default=True,
        help_text=_("Décoché pour une valeur calculée ou non publiée (⚠️)."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("taux")
        verbose_name_plural = _("taux")
        ordering = ["kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], name="claims_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="claims_rate_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}: {self.value} %"
