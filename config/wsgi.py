import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Process tuning for web workers lives in gunicorn.conf.py (post_worker_init), not here.
application = get_wsgi_application()
