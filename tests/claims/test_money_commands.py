"""interest_calc, statement --creditor and the missing-rate system check."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.checks import rates_published_check
from claims.ledger.statements import rates_changed
from tests.factories import ClaimFactory
from tests.factories import RateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rates():
    rates_changed()
    yield
    rates_changed()


def test_interest_calc_json_holds_periods_fees_totals(capsys) -> None:
    call_command(
        "interest_calc", "--country", "FR", "--debtor-kind", "business",
        "--amount", "1000", "--due", "2025-06-15", "--at", "2025-07-31", "--format", "json",
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    # Art. L441-10 II: 5.40 (15 d at 13.15 %) + 10.32 (31 d at 12.15 %) + 40 €.
    assert [p["amount"] for p in data["interest_periods"]] == ["5.40", "10.32"]
    assert [f["amount"] for f in data["fees"]] == ["40.00"]
    assert data["total_due"] == "1055.72"


def test_interest_calc_rejects_a_bad_payment() -> None:
    with pytest.raises(CommandError):
        call_command(
            "interest_calc", "--country", "BE", "--debtor-kind", "business", "--amount", "10",
            "--due", "2025-01-01", "--at", "2025-02-01", "--payment", "2025-01-05-300",
        )  # fmt: skip


def test_statement_needs_creditor_when_reference_is_ambiguous(capsys) -> None:
    a = ClaimFactory(reference="C-SAME")
    ClaimFactory(reference="C-SAME")
    with pytest.raises(CommandError, match="creditor"):
        call_command("statement", "C-SAME", "--at", "2026-03-01")
    call_command(
        "statement", "C-SAME", "--at", "2026-03-01", "--creditor", str(a.creditor_id)
    )
    assert "TOTAL DÛ" in capsys.readouterr().out


def test_check_warns_about_the_missing_half_year() -> None:
    with time_machine.travel("2026-11-26 10:00 +0000"):
        warnings = rates_published_check(databases=["default"])
    assert [w.id for w in warnings] == ["claims.W001"]
    assert "be_commercial S2 2026" in warnings[0].msg


def test_check_is_silent_when_every_rate_is_published() -> None:
    with time_machine.travel("2026-03-01 10:00 +0000"):
        assert rates_published_check(databases=["default"]) == []
    RateFactory()  # BE commercial S2 2026
    with time_machine.travel("2026-11-26 10:00 +0000"):
        assert (
            "be_commercial" not in rates_published_check(databases=["default"])[0].msg
        )


# --- interest_calc tells the truth (issue 13 item 9) ---


def test_interest_calc_help_documents_every_flag() -> None:
    from claims.management.commands.interest_calc import Command

    text = Command().create_parser("manage.py", "interest_calc").format_help()
    for flag in (
        "--reminder", "--reminder-channel", "--formal-notice", "--interest-clause",
        "--penalty-percent", "--penalty-minimum", "--delivery", "--supply", "--sme",
    ):  # fmt: skip
        assert flag in text, flag
    assert "XIX.2" in text
    assert "1344-1" in text


def test_interest_calc_assumes_no_formal_notice_for_a_consumer(capsys) -> None:
    """Art. 1344-1 / 1231-6 C. civ.: without --formal-notice, no interest."""
    call_command(
        "interest_calc", "--country", "FR", "--debtor-kind", "consumer",
        "--amount", "2000", "--due", "2025-05-01", "--at", "2025-12-31", "--format", "json",
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert (data["interest"], data["total_due"]) == ("0.00", "2000.00")
    assert any("1344-1" in w for w in data["warnings"])
    call_command(
        "interest_calc", "--country", "FR", "--debtor-kind", "consumer",
        "--amount", "2000", "--due", "2025-05-01", "--at", "2025-08-31",
        "--formal-notice", "2025-06-10", "--format", "json",
    )  # fmt: skip
    # 2000 × 3.71 % × 20 / 365 = 4.07; 2000 × 2.76 % × 62 / 365 = 9.38
    assert json.loads(capsys.readouterr().out)["total_due"] == "2013.45"


def test_interest_calc_refuses_a_date_before_the_tables() -> None:
    with pytest.raises(CommandError, match="01/01/2015"):
        call_command(
            "interest_calc", "--country", "FR", "--debtor-kind", "business",
            "--amount", "1000", "--due", "2012-01-31", "--at", "2015-06-30",
        )  # fmt: skip
    with pytest.raises(CommandError, match="--reminder"):
        call_command(
            "interest_calc", "--country", "BE", "--debtor-kind", "consumer",
            "--amount", "1000", "--due", "2025-01-31", "--at", "2025-06-30",
            "--reminder", "2025-01-01",
        )  # fmt: skip


def test_interest_calc_prints_the_prescription_and_time_barred(capsys) -> None:
    """FR B2B, 5 years (art. L110-4 C. com.): due 30 Apr 2019 → 30 Apr 2024."""
    call_command(
        "interest_calc", "--country", "FR", "--debtor-kind", "business",
        "--amount", "1500", "--due", "2019-04-30", "--at", "2024-05-02",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "Prescription le     30/04/2024 (art. L110-4 C. com.)" in out
    assert "CRÉANCE PRESCRITE" in out
