"""The collection engine: scenarios, stages, planning, the run and its tasks.

Owns the scenarios and their steps (``scenarios``, seed data in ``seed``), the
state machine of a claim's stage (``stages``), planning and the manual controls
(``collection``), the run — select what is due, deliver it through the seam of
``execution`` (``run``) —, payment plans and their notices (``plans``), the
Celery adapters (``tasks``, ``tasks_plans``) and the broker's health (``queue``).

May import: ``claims.ledger``, ``claims.models``, ``claims.law``,
``claims.l10n``. Never ``claims.money_in``, ``claims.judicial``, the web layer,
nor ``letters`` (letters registers its deliverer in ``execution``).
"""
