"""The public REST API (``/api/v1/``), built with django-ninja.

Every write goes through :mod:`claims.ledger.services` (the ledger rules apply), every
amount of a claim's position comes from :func:`claims.ledger.statements.claim_statement`.
The API object itself is assembled in :mod:`recouvrement.api`, which also
registers the documents router of :mod:`letters.api` (claims never imports letters).

May import: ``claims.money_in``, ``claims.judicial``, ``claims.engine``,
``claims.security``, ``claims.ledger``, ``claims.models``, ``claims.law``.
"""
