"""Statement → plain dict (JSON) and text table (pure; used by commands and pages)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from .types import Statement


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def statement_as_dict(s: Statement) -> dict[str, Any]:
    """Every field of the statement, amounts and dates as strings."""
    data = _plain(dataclasses.asdict(s))
    data["uses_fallback_rate"] = s.uses_fallback_rate
    data["time_barred"] = s.time_barred
    return data


def statement_as_text(s: Statement) -> str:
    """A fixed-width décompte, one line per interest period, fee and payment."""
    out = [f"Décompte au {s.at:%d/%m/%Y} ({s.currency})", ""]
    for i in s.invoices:
        kind = "Note de crédit" if i.is_credit_note else "Facture"
        out.append(
            f"{kind} {i.number}  échéance {i.due_date:%d/%m/%Y}  montant {i.amount:>10}"
            f"  payé {i.principal_paid:>10}  reste {i.principal_due:>10}"
        )
    out += ["", "Intérêts de retard :"]
    for p in s.interest_periods:
        flag = " ⚠️ repli" if p.rate_is_fallback else ""
        out.append(
            f"  {p.invoice:<12} {p.start:%d/%m/%Y} → {p.end:%d/%m/%Y} {p.days:>4} j"
            f" × {p.rate:>6} % sur {p.base:>10} = {p.amount:>9}  [{p.rule}]{flag}"
        )
    out += ["", "Frais :"]
    out += [f"  {f.label:<40} {f.amount:>9}  [{f.legal_basis}]" for f in s.fees]
    out += ["", "Paiements :"]
    out += [
        f"  {a.on:%d/%m/%Y} {a.amount:>10} → frais {a.to_costs}, intérêts {a.to_interest},"
        f" principal {a.to_principal}, crédit {a.to_credit}"
        for a in s.allocations
    ]
    out += [
        "",
        f"Principal dû        {s.principal_due:>12}",
        f"Intérêts dus        {s.interest_due:>12}",
        f"Frais dus           {s.costs_due:>12}",
        f"Renonciations       {s.waived:>12}",
        f"Crédit du débiteur  {s.credit:>12}",
        f"TOTAL DÛ            {s.total_due:>12}",
    ]
    if s.prescription_on:
        rule = f" ({s.prescription_rule})" if s.prescription_rule else ""
        out.append(f"Prescription le     {s.prescription_on:%d/%m/%Y}{rule}")
        if s.time_barred:
            out.append("*** CRÉANCE PRESCRITE : ne pas agir en justice sans avis ***")
    if not s.interest_periods and s.warnings:
        out.append("Aucun intérêt à cette date (voir les remarques ci-dessous).")
    out += [f"⚠️ {w}" for w in s.warnings]
    return "\n".join(out)
