"""The back-office (Django admin), one module per area of the claims models.

Other areas register their admin by appending one import below, e.g.
``from claims import admin_rates  # noqa: F401``.
"""

import importlib.util

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import api  # noqa: F401
from . import bank  # noqa: F401
from . import collection  # noqa: F401
from . import ledger  # noqa: F401
from . import parties  # noqa: F401

# Dated legal rates: the money area's claims/admin_rates.py once merged; until
# then (or without it) a plain admin, so that Rate is never registered twice.
if importlib.util.find_spec("claims.admin_rates") is not None:
    from claims import admin_rates  # noqa: F401
else:
    from . import rates  # noqa: F401

admin.site.site_header = _("Recouvrement — administration")
admin.site.site_title = _("Recouvrement")
admin.site.index_title = _("Back-office")
