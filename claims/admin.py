"""Django admin of the claims app."""

from claims import admin_rates  # noqa: F401 - dated legal rates
