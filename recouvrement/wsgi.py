"""WSGI entry point (gunicorn recouvrement.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvrement.settings")
application = get_wsgi_application()
