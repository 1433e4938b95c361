"""Security building blocks: who may see what (``access``), TOTP, login
throttling, audit log, upload checks and the one ``client_ip`` (``net``).

May import: ``claims.ledger``, ``claims.models``, ``claims.l10n``. Never the
engine, money in, the web layer nor ``letters``.
"""
