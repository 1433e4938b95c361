"""Security building blocks: TOTP, login throttling, audit log, upload checks."""
