"""Privacy (GDPR): retention periods, anonymisation, the debtor's data export.

Owns how long a closed claim's personal data are kept (``retention``, pure),
the anonymisation and the data export (``services``) and the nightly Celery
adapter (``tasks``).

May import: ``claims.ledger``, ``claims.models``, ``claims.security``,
``claims.l10n``. Never the engine, the web layer nor ``letters`` (letters adds
its own data through ``PRIVACY_EXTENSIONS``).
"""
