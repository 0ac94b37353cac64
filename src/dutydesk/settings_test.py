"""Settings for the test run: tasks run in-process, passwords hash fast."""

from dutydesk.settings import *  # noqa: F403
from dutydesk.settings import HUEY

HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
