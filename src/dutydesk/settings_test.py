"""Settings for the test run: tasks run in-process, passwords hash fast, files go to a temp dir."""

import tempfile

from dutydesk.settings import *  # noqa: F403
from dutydesk.settings import HUEY

HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="dutydesk-test-media-")
# pytest captures log records itself; a console handler would write to a replaced stream.
LOGGING = {"version": 1, "disable_existing_loggers": False}
