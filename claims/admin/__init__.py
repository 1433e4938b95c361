"""The back-office (Django admin), one module per area of the claims models.

Other areas register their own admin modules by appending an import below
(e.g. ``from . import admin_rates  # noqa: F401``) so merges stay one line.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import bank  # noqa: F401
from . import collection  # noqa: F401
from . import ledger  # noqa: F401
from . import parties  # noqa: F401
from . import rates  # noqa: F401

admin.site.site_header = _("Recouvrement — administration")
admin.site.site_title = _("Recouvrement")
admin.site.index_title = _("Back-office")
