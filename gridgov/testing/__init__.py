"""Test support shared by the tests of several apps (never imported by runtime code).

- :mod:`gridgov.testing.people`: regions, grids, organisations and people with roles, made
  through the services (``make_user``, ``make_worker``, ``make_grid`` …);
- :mod:`gridgov.testing.regions`: small region trees with geometry (a village 1 km × 1 km cut
  into grids: ``make_tree``, ``halves``, ``box``);
- :mod:`gridgov.testing.world`: the three-jurisdiction world of the URL-enumeration test, to
  which each app adds its objects in ``<app>/tests/scoping_world.py``;
- :mod:`gridgov.testing.browser`: Playwright helpers of the browser tests (Debian's Chromium).

What only one app's tests use lives in that app's ``tests/`` (e.g. ``matters/tests/factories.py``).
The package sits in the core so every app's tests can reach it, but it builds worlds from any
app: the import contract exempts it from the layers and forbids runtime modules to import it
(``[tool.importlinter]`` in pyproject.toml). pytest does not collect it (no ``test_*.py``).
"""
