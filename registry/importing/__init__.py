"""Importing registry records from CSV and Excel files (R11.1, R22.1).

- :mod:`~registry.importing.columns`: the column layout of each kind (the templates);
- :mod:`~registry.importing.reader`: CSV/XLSX rows, streamed;
- :mod:`~registry.importing.check`: one row checked into a typed row;
- :mod:`~registry.importing.write`: the set-based writer.

The service is :func:`registry.services.imports.import_file`; :class:`NewImport` is the value
object of an upload, parsed once by ``registry.api.imports.ImportInput`` (API and console).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NewImport:
    kind: str
    upload: Any  # an uploaded file (name, size, chunks())
    dry_run: bool = False
    region_code: str = ""
