"""The web layer of the claims app: views, forms, filters, exports.

Owns the back-office pages (``views``), their forms and filters, the CSV/XLSX
exports and the template context processors. The Django admin stays in
``claims/admin/`` and the template tags in ``claims/templatetags/``, where
Django looks for them; they belong to this layer too.

May import every part of ``claims``; no part of ``claims`` imports it (but
``claims/urls.py``, ``claims/admin/`` and ``claims/templatetags/``).
Never ``letters``.
"""
