"""Browser pages of the claims app, one module per area."""

from .core import claim_detail
from .core import claim_list
from .core import dashboard
from .core import debtor_detail
from .core import debtor_list

__all__ = ["claim_detail", "claim_list", "dashboard", "debtor_detail", "debtor_list"]
from .calculator import calculator  # noqa: F401
