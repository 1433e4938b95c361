"""The back-office (Django admin), one module per area of the claims models.

Other areas register their admin by appending one import below, e.g.
``from claims import admin_rates  # noqa: F401``.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import bank  # noqa: F401
from . import collection  # noqa: F401
from . import ledger  # noqa: F401
from . import parties  # noqa: F401

# Dated legal rates: the money area's claims/admin_rates.py once merged; until
# then (or without it) a plain admin, so that Rate is never registered twice.
try:
    from claims import admin_rates  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "claims.admin_rates":
        raise
    from . import rates  # noqa: F401

admin.site.site_header = _("Recouvrement — administration")
admin.site.site_title = _("Recouvrement")
admin.site.index_title = _("Back-office")
