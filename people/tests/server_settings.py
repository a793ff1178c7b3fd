"""Settings of the servers that tests start as real processes: the project's settings with the
tests' fast password hasher (the test process makes the accounts)."""

from gridgov.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
