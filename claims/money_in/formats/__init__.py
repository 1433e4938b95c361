"""Pure parsers of incoming files (bank statements, invoices) and the matcher.

Nothing here touches the database or the clock: parsers take bytes and return
dataclasses, raising :class:`ParseError` with a location when a file is refused.
"""

from .types import BankEntry
from .types import ParseError

__all__ = ["BankEntry", "ParseError"]
