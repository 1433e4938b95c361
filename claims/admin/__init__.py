"""The back-office (Django admin), one module per area of the claims models.

Django finds it here (``claims.admin``); it belongs to the web layer and may
import every part of ``claims``, never ``letters``.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import api  # noqa: F401
from . import bank  # noqa: F401
from . import collection  # noqa: F401
from . import ledger  # noqa: F401
from . import legal_rates  # noqa: F401 - the dated legal rates
from . import parties  # noqa: F401

admin.site.site_header = _("Recouvrement — administration")
admin.site.site_title = _("Recouvrement")
admin.site.index_title = _("Back-office")
