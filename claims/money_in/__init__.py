"""Money coming in: bank statements, invoice imports, matching, "I have paid".

Owns the file formats (``formats``: CODA, CAMT.053, CSV, UBL), the matching of
a bank line to its claim (``matching``), the bank statement import
(``bank``), the invoice imports (``invoices``), the long imports run in the
background with their progress (``jobs``, Celery adapter in ``tasks``) and
the debtor's declaration of a payment (``declarations``, shared by the portal
and the back-office).

May import: ``claims.engine`` (a payment or a new claim wakes it),
``claims.ledger``, ``claims.models``, ``claims.law``, ``claims.l10n``.
Never the web layer nor ``letters``.
"""
