"""The law in one place: pure functions, no database, no clock.

"Today" is always an argument. Every function that applies a rule names it
(article, law) and the section of ``shared/domain/legal-brief.md`` it follows.
"""
