"""The judicial route: hand-off of a claim to a bailiff or a lawyer.

Owns the hand-off and its follow-up (``services``), the reads of judicial
cases (``selectors``), the route advice (``routes``) and the outcomes observed
per route (``outcomes``).

May import: ``claims.engine``, ``claims.ledger``, ``claims.models``,
``claims.law``. Never the web layer nor ``letters``.
"""
