"""Access control, the core every app uses (R20.1, R22.1): roles, the one scoping mechanism,
and the scoped bases of web views, API views and the Django admin.

- :mod:`gridgov.access.roles`: the roles and the role sets features check;
- :mod:`gridgov.access.scoping`: grants, jurisdictions, ``scope_queryset``, ``require``;
- :mod:`gridgov.access.web`: ``ScopedListView`` / ``ScopedDetailView`` / ``ScopedView``;
- :mod:`gridgov.access.api`: ``ScopedViewSet`` and friends (DRF);
- :mod:`gridgov.access.admin`: ``ScopedModelAdmin``.

The core imports no app: where the grants come from (the people app's role and grid
assignments) is a hook the people app registers at start-up (``scoping.set_grant_source``).
"""
