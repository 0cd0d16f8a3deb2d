import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
application = get_wsgi_application()

from citycoop.common.warmup import prepare_process  # noqa: E402 - needs Django set up

prepare_process()
