"""The ledger: creditors, debtors, claims, invoices, payments and events.

Owns the writes (``services``: the only place that books money or records an
event, with the ledger's rules in ``rules`` and ``validators``), the reads
(``selectors``, the statement of account in ``statements``, the timeline's
wording in ``timeline``), the interest calculator, the outbound webhooks
(``webhooks``, their Celery adapters in ``tasks``) and the set-based writer
of plain rows (``bulk``: PostgreSQL ``COPY``) that imports and the demo use.

May import: ``claims.models``, ``claims.law``, ``claims.l10n``. Never the
collection engine (``claims.engine``), the parts above it, nor ``letters``.
When a write must wake the engine (a claim opened, a payment recorded or
reversed) it calls the hooks of ``claims.ledger.hooks``, which the engine
registers at start-up.
"""
