"""The navigation: each app registers the pages it offers and who sees them.

One registry instead of one template every UI touches: an app adds its entries in its
``AppConfig.ready()`` with :func:`register`; the base template shows the entries the user may
use (``{% main_menu %}``) and the header items (``{% header_items %}``: small widgets such as
the notification badge, :func:`register_header`), and :func:`landing_url` sends a user who
logs in to the first page meant for their role (dispatcher → console, department → inbox,
grid worker → phone app …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from gridgov.access import scoping

Visible = Callable[[Any], bool]


def everyone(user: Any) -> bool:
    return True


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def readers_of(model_label: str) -> Visible:
    """Shown to a signed-in user who may read some rows of the model (``"app.Model"``): the
    entry appears exactly when its list would not be empty for lack of rights."""

    def visible(user: Any) -> bool:
        # The model is looked up when the menu is drawn: entries register before models load.
        from django.apps import apps

        return signed_in(user) and scoping.can_view_any(user, apps.get_model(model_label))

    return visible


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: Any
    url_name: str
    order: int = 100
    visible: Visible = signed_in
    # roles for which this page is the landing page after login, in order of preference
    landing_for: frozenset[str] = field(default_factory=frozenset)
    url_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name, kwargs=self.url_kwargs or None)
        except NoReverseMatch:
            return ""


_items: dict[str, MenuItem] = {}


def register(*items: MenuItem) -> None:
    _items.update((item.key, item) for item in items)


def items_for(user: Any) -> list[MenuItem]:
    return _shown(_items, user, lambda item: bool(item.url))


def _shown(registry: dict[str, Any], user: Any, usable: Callable[[Any], bool]) -> list[Any]:
    """The registered entries visible to ``user`` and ``usable``, by order then key."""
    shown = []
    for item in sorted(registry.values(), key=lambda i: (i.order, i.key)):
        try:
            if item.visible(user) and usable(item):
                shown.append(item)
        except Exception:  # a broken visibility rule must not take the whole page down
            continue
    return shown


# --- header items: small widgets an app puts in every page's header (the notification badge) ---


@dataclass(frozen=True)
class HeaderItem:
    """A template rendered into the header of every page for the users it is visible to.

    ``context`` builds the template's context from the request (it runs only when visible).
    """

    key: str
    template: str
    context: Callable[[Any], dict[str, Any]]
    visible: Visible = signed_in
    order: int = 100


_header: dict[str, HeaderItem] = {}


def register_header(*items: HeaderItem) -> None:
    _header.update((item.key, item) for item in items)


def header_items_for(user: Any) -> list[HeaderItem]:
    return _shown(_header, user, lambda item: True)


def landing_url(user: Any) -> str | None:
    roles = [g.role for g in scoping.user_roles(user)]
    best: tuple[int, int, str] | None = None
    for item in _items.values():
        for rank, role in enumerate(roles):
            if role in item.landing_for and item.url:
                candidate = (rank, item.order, item.url)
                if best is None or candidate < best:
                    best = candidate
    return best[2] if best else None
