"""The law in one place: pure functions, no database, no clock.

"Today" is always an argument. Every function that applies a rule names it
(article, law) and the section of ``shared/domain/legal-brief.md`` it follows.

May import: only itself and ``claims.l10n`` — no Django model, no ORM, no
clock (``tests/recouvrement/test_import_rules.py``).
"""
