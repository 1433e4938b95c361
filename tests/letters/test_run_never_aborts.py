"""A run never aborts with the real letters deliverer (issue 13, item 6)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command

from tests.claims.test_run_never_aborts import DAY3
from tests.claims.test_run_never_aborts import assert_only_bad_failed
from tests.claims.test_run_never_aborts import claims_of_three_debtors

pytestmark = pytest.mark.usefixtures("engine_seed")


def test_a_statement_error_in_the_real_deliverer_fails_that_claim_only(
    smtp_inbox, capsys
):
    from letters import delivery

    claims = claims_of_three_debtors()
    bad = claims[1]
    real = delivery._claim_line

    def line(claim, at_, *args):
        if claim.pk == bad.pk:
            raise LookupError("no legal rate for 2026-03-05")
        return real(claim, at_, *args)

    with mock.patch.object(delivery, "_claim_line", side_effect=line):
        call_command("collect", "--at", DAY3.isoformat())  # no exception
    out = capsys.readouterr().out
    assert "actions done: 2; failed: 1" in out
    assert "no legal rate" in out
    assert_only_bad_failed(claims, bad, "no legal rate for 2026-03-05")
    assert len(smtp_inbox.messages) == 2
