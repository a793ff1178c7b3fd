"""Importing residents, houses and organisations from CSV or Excel (R11.1, R22.1): all or
nothing, with a dry run and a row-by-row error report.

:func:`import_file` reads the file streamed (``registry.importing.reader``), checks every row
with the registry's validation (``registry.importing.check``) and writes the good ones set by
set (``registry.importing.write``), all in one transaction; batch n+1 is checked in a worker
thread while batch n is written (:data:`OVERLAP`; the writing stays on the import's
connection). When any row is refused, or for a dry run, the transaction is rolled back:
nothing is kept, and the report lists every problem (file, row, column, reason; the first
:data:`MAX_PROBLEMS` kept, all counted). A real import
that succeeds writes ONE audit record (who, file, kind, counts; no personal data) in its
transaction; the records it created have none of their own (ADR 0013).

:func:`start_import` stores an uploaded file as a :class:`RegistryImport` and enqueues
:func:`run_import` (a Django Tasks task), which runs :func:`import_file` in the background and
keeps the progress (rows checked, records written) for the console page to poll.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from audit import services as audit
from gridgov.access import scoping
from gridgov.access.scoping import Grant
from gridgov.errors import DomainError
from registry.actions import RegistryAction
from registry.importing import NewImport
from registry.importing.check import Checker, RowError
from registry.importing.reader import SUFFIXES, ImportRefused, Problem, open_rows
from registry.importing.write import BATCH, Writer
from registry.models import IMPORTERS, ImportKind, ImportStatus, RegistryImport
from registry.services.common import Actor

log = logging.getLogger(__name__)

MAX_PROBLEMS = 1000  # report lines kept (and shown); every problem is counted
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Check the next batch in a second thread while this one is written (False: one after the
# other, as before; bench/registry.py --mode compares the two).
OVERLAP = True
YIELD_EVERY = 50  # rows checked between two offers of the GIL to the writing thread


@dataclass
class ImportResult:
    kind: str
    file_name: str
    scope: str
    dry_run: bool
    rows_checked: int = 0
    records_written: int = 0
    addresses_written: int = 0
    households_written: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def kept(self) -> bool:
        """Were the records written kept (a real import without problems)?"""
        return self.ok and not self.dry_run

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def counts(self) -> dict[str, Any]:
        """What the audit record and the job keep: counts, never a row's content."""
        return {
            "kind": self.kind,
            "file": self.file_name,
            "scope": self.scope,
            "dry_run": self.dry_run,
            "rows": self.rows_checked,
            "records": self.records_written,
            "addresses": self.addresses_written,
            "households": self.households_written,
            "problems": self.problem_count,
        }

    def problems_csv(self) -> str:
        return problems_csv(self.file_name, self.problems, self.problem_count)

    def summary(self) -> str:
        if not self.ok:
            return _("%(file)s:检查 %(rows)d 行,发现 %(n)d 个问题,未导入任何记录") % {
                "file": self.file_name,
                "rows": self.rows_checked,
                "n": self.problem_count,
            }
        if self.dry_run:
            return _("%(file)s:试导入通过,检查 %(rows)d 行,可导入 %(records)d 条记录(未写入)") % {
                "file": self.file_name,
                "rows": self.rows_checked,
                "records": self.records_written,
            }
        return _("%(file)s:检查 %(rows)d 行,导入 %(records)d 条记录") % {
            "file": self.file_name,
            "rows": self.rows_checked,
            "records": self.records_written,
        }


def problems_csv(file_name: str, problems: list[Problem], total: int) -> str:
    """The error report as CSV (BOM for Excel): file, row, column, reason."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("文件"), _("行号"), _("列"), _("原因")])
    for p in problems:
        writer.writerow([file_name, p.row, p.column, p.reason])
    if total > len(problems):
        writer.writerow(
            [file_name, "", "", _("另有 %(n)d 个问题未列出") % {"n": total - len(problems)}]
        )
    return "\ufeff" + out.getvalue()


def import_scope(actor: Actor, region_code: str | None) -> tuple[str, Grant | None]:
    """The jurisdiction an import writes into: the code given (which the actor must hold), or
    the actor's one jurisdiction; the system (a command) may import anywhere."""
    code = str(region_code or "").strip()
    if code and not (code.isdigit() and 2 <= len(code) <= 12):
        raise DomainError(_("导入范围应为行政区划代码"), field="region_code", code="invalid")
    if not code and not scoping.is_system(actor) and not scoping.is_unrestricted(actor):
        held = scoping.jurisdictions(actor, IMPORTERS)
        if not held:  # no grant to import anywhere
            scoping.require(actor, IMPORTERS, what=_("导入基础信息"))
        if len(held) > 1:
            raise DomainError(
                _("请选择导入范围(行政区划代码)"), field="region_code", code="required"
            )
        code = held[0] if held else ""
    grant = scoping.require(actor, IMPORTERS, region_code=code or None, what=_("导入基础信息"))
    return code, grant


def import_file(
    actor: Actor,
    kind: str,
    file: Path | str,
    *,
    dry_run: bool,
    region_code: str | None = None,
    file_name: str = "",
    job: RegistryImport | None = None,
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import ``file`` (CSV or .xlsx) of ``kind`` into ``region_code``: all rows or none.

    Raises :class:`ImportRefused` for a file that cannot be read or whose header does not
    match the layout, ``Forbidden`` for an actor who may not import there; a bad row is a
    problem in the result (and nothing is kept)."""
    if kind not in ImportKind.values:
        raise DomainError(_("未知的导入类别"), field="kind", code="invalid_choice")
    path = Path(file)
    name = file_name or path.name
    scope, grant = import_scope(actor, region_code)
    with open_rows(kind, path, name) as (_codes, rows):
        return _import(
            actor, kind, rows, scope=scope, grant=grant, file_name=name, dry_run=dry_run,
            job=job, progress=progress,
        )  # fmt: skip


def import_rows(
    actor: Actor,
    kind: str,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    file_name: str,
    region_code: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import rows already read (row number, values by column code), e.g. generated ones (the
    demo registry): the same checks, writer and audit record as :func:`import_file`."""
    if kind not in ImportKind.values:
        raise DomainError(_("未知的导入类别"), field="kind", code="invalid_choice")
    scope, grant = import_scope(actor, region_code)
    return _import(
        actor, kind, iter(rows), scope=scope, grant=grant, file_name=file_name,
        dry_run=dry_run, job=None, progress=None,
    )  # fmt: skip


def _import(
    actor: Actor,
    kind: str,
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    scope: str,
    grant: Grant | None,
    file_name: str,
    dry_run: bool,
    job: RegistryImport | None,
    progress: Callable[[ImportResult], None] | None,
) -> ImportResult:
    result = ImportResult(kind=kind, file_name=file_name, scope=scope, dry_run=dry_run)
    with transaction.atomic(), ThreadPoolExecutor(1, "registry-import-check") as pool:
        checker = Checker(kind, scope)
        writer = Writer(checker)
        language = translation.get_language()

        def checked(chunk: list) -> tuple[int, list, list[Problem]]:
            """Check a batch read (in the pool's thread: the checks use no database)."""
            typed, problems = [], []
            with translation.override(language):
                for i, (number, values) in enumerate(chunk):
                    if OVERLAP and not i % YIELD_EVERY:
                        # hand the GIL over: the writer, woken by the database, need not wait
                        # for the interpreter's switch interval (5 ms) each time
                        time.sleep(0)
                    try:
                        typed.append(checker.check(number, values))
                    except RowError as exc:
                        problems.append(Problem(number, exc.column, exc.reason))
            return len(chunk), typed, problems

        def ahead() -> Future | None:
            """Read the next batch here (rows given may come from the database) and check
            it in the pool's thread, or here when not overlapping."""
            chunk = list(islice(rows, BATCH))
            if not chunk:
                return None
            if OVERLAP:
                return pool.submit(checked, chunk)
            done: Future = Future()
            done.set_result(checked(chunk))
            return done

        # Batch n+1 is checked while batch n is written: the writer waits on the database
        # (psycopg releases the GIL then) while the checks run (ADR 0013).
        pending = ahead()
        while pending is not None:
            batch = pending.result()
            pending = ahead()
            count, typed, problems = batch
            for problem in problems:
                result.add(problem)
            written = writer.batch(typed)
            for problem in written.problems:
                result.add(problem)
            result.rows_checked += count
            result.records_written += written.records
            result.addresses_written += written.addresses
            result.households_written += written.households
            if progress is not None:
                progress(result)
        if not result.kept:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor,
                RegistryAction.IMPORT,
                job,
                object_type="" if job else "registry.registryimport",
                object_repr="" if job else file_name[:200],
                region_code=scope,
                role=scoping.acting_role(actor, grant),
                after=result.counts(),
                note=file_name[:200],
            )
    return result


# --- the background import of an upload --------------------------------------------------


def _check_upload(kind: str, upload: Any) -> None:
    if kind not in ImportKind.values:
        raise DomainError(_("未知的导入类别"), field="kind", code="invalid_choice")
    if upload is None:
        raise DomainError(_("请选择要导入的文件"), field="file", code="required")
    if Path(upload.name).suffix.lower() not in SUFFIXES:
        raise DomainError(_("请上传 CSV 或 Excel(.xlsx)文件"), field="file", code="file_type")
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("文件超过 %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
            code="too_large",
        )


def start_import(actor: Actor, new: NewImport) -> RegistryImport:
    """Store the upload as a pending import and enqueue its task once this commits."""
    kind, upload, dry_run = new.kind, new.upload, new.dry_run
    _check_upload(kind, upload)
    scope, grant = import_scope(actor, new.region_code)
    job = RegistryImport(
        kind=kind,
        file_name=Path(upload.name).name[:200],
        dry_run=dry_run,
        region_code=scope,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            job.upload.save(Path(upload.name).name, upload, save=False)
            job.save()
            # Who handed in a file of personal data, even one later refused or only checked.
            audit.record(
                actor,
                RegistryAction.IMPORT_UPLOAD,
                job,
                region_code=scope,
                role=scoping.acting_role(actor, grant),
                after={"kind": kind, "file": job.file_name, "dry_run": dry_run},
            )
            transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    except BaseException:
        # The stored file holds personal numbers in clear: one whose row was never written
        # must not stay on disk.
        if job.upload:
            job.upload.delete(save=False)
        raise
    return job


@task()
def run_import(job_id: int) -> str:
    """The background task of an uploaded import (the configured Django Tasks backend)."""
    return run(job_id)


def _enqueue(job_id: int) -> None:
    try:
        run_import.enqueue(job_id)
    except Exception:
        log.exception("could not enqueue registry import %s", job_id)


def progress_key(job_id: int) -> str:
    return f"gridgov:registry-import:{job_id}"


def live_progress(job: RegistryImport) -> dict[str, int]:
    """Rows checked and records written so far: while the import's transaction runs its own
    writes are not visible, so the task also keeps them in the cache."""
    if job.status == ImportStatus.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            return live
    return {"checked": job.rows_checked, "written": job.rows_written}


def run(job_id: int) -> str:
    """Run a pending import (the task's body; a job already taken is left alone)."""
    with transaction.atomic():
        job = RegistryImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.PENDING:
            return job.status if job else "missing"
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])
    actor: Actor = job.created_by or "task"
    key = progress_key(job.pk)

    def progress(result: ImportResult) -> None:
        cache.set(key, {"checked": result.rows_checked, "written": result.records_written}, 3600)

    changes: dict[str, Any] = {"finished_at": timezone.now()}
    try:
        result = import_file(
            actor,
            job.kind,
            job.upload.path,
            dry_run=job.dry_run,
            region_code=job.region_code,
            file_name=job.file_name,
            job=job,
            progress=progress,
        )
    except ImportRefused as exc:
        changes.update(
            status=ImportStatus.REFUSED,
            message=exc.message[:300],
            problem_count=max(1, len(exc.problem_rows)),
            problems_csv=problems_csv(job.file_name, exc.problem_rows, len(exc.problem_rows)),
        )
    except DomainError as exc:
        changes.update(status=ImportStatus.FAILED, message=exc.message[:300])
    except Exception:
        log.exception("registry import %s failed", job.pk)
        changes.update(status=ImportStatus.FAILED, message=_("导入时发生内部错误"))
    else:
        status = ImportStatus.REFUSED if not result.ok else (
            ImportStatus.CHECKED if job.dry_run else ImportStatus.DONE
        )  # fmt: skip
        changes.update(
            status=status,
            rows_checked=result.rows_checked,
            rows_written=result.records_written,
            problem_count=result.problem_count,
            problems_csv=result.problems_csv() if result.problem_count else "",
            message=result.summary()[:300],
        )
    job.upload.delete(save=False)  # the file holds personal numbers in clear: not kept
    changes["upload"] = ""
    RegistryImport.objects.filter(pk=job.pk).update(**changes)
    cache.delete(key)
    return str(changes["status"])
