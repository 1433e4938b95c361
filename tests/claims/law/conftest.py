import pytest

from claims.law.rates import RateTable
from claims.law.seed import seed_values


@pytest.fixture(scope="session")
def table() -> RateTable:
    """The legal brief's rates (no database)."""
    return RateTable(seed_values())
