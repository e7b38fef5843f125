import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from config.runtime import prepare_worker  # noqa: E402 - needs the settings and apps loaded first

prepare_worker()
