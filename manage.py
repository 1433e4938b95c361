#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

# The local, git-ignored environment file written by ``make install``
# (DEBUG=true and a generated SECRET_KEY); ENV_FILE names another one.
LOCAL_ENV = Path(__file__).resolve().parent / ".env.local"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")
    from recouvrement.env import load_env_file

    load_env_file(Path(os.environ.get("ENV_FILE") or LOCAL_ENV))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
