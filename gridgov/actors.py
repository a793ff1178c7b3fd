"""Who acts on a service: the type every app's services take as their ``actor``.

An account (``settings.AUTH_USER_MODEL``, ``people.User``, an ``AbstractUser``); a visitor
without one (``AnonymousUser``: the public portal, refused by ``scoping.require`` wherever
a role is needed); or the system: ``None`` or the name of the command, task or loader that
acts (``gridgov.access.scoping.is_system``), whose audit records carry that name.

The core cannot name ``people.User`` (imports go down the stack), so the account is its
Django base class. Imported by modules that run once the app registry is ready (services,
views), as Django's auth models require.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser

Actor: TypeAlias = AbstractUser | AnonymousUser | str | None
