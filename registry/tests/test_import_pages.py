"""R11.1, R22.1: uploading an import through the API (202, then its status) and the console
(the list with the upload form, the progress page polled with htmx, the problems report, the
templates), the background task advancing the import's progress, and the command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditRecord
from gridgov.testing import people as testing
from registry.models import House, RegistryImport
from registry.services import imports
from registry.tests import world as w
from registry.tests.test_import import HOUSE_HEADER, houses_file

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/imports/"


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin(client):
    user = testing.make_user("agency_admin", "440703", username="imp_admin")
    client.force_login(user)
    return user


def upload(path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def test_the_api_accepts_an_upload_with_202_and_answers_its_status(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    """R11.1: POST answers 202 with the id; the task runs; GET shows done and the counts."""
    path = houses_file(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(API, {"kind": "houses", "file": upload(path)})
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "pending"
    status = client.get(f"{API}{body['id']}/").json()
    assert (status["status"], status["rows_checked"], status["rows_written"]) == ("done", 3, 3)
    assert House.objects.count() == 3
    job = RegistryImport.objects.get(pk=body["id"])
    assert not job.upload  # the uploaded file (personal numbers in clear) is not kept
    assert AuditRecord.objects.get(action="registry.import").object_id == str(job.pk)


def test_the_api_refuses_bad_input_and_foreign_jurisdictions(client, admin, tmp_path):
    """R22.1: 400 naming the field; 403 for an upload into another county; a worker 403."""
    path = houses_file(tmp_path)
    assert client.post(API, {"kind": "people", "file": upload(path)}).status_code == 400
    bad = client.post(API, {"kind": "houses", "file": upload(path, "x.txt")})
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
    foreign = client.post(API, {"kind": "houses", "file": upload(path), "region_code": "440704"})
    assert foreign.status_code == 403
    assert not RegistryImport.objects.exists()
    client.force_login(testing.make_user("grid_worker_fulltime", w.GRID, username="imp_w"))
    assert client.post(API, {"kind": "houses", "file": upload(path)}).status_code == 403


def test_the_task_records_progress_and_problems(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    """R11.1: the progress model advances to its end state; a bad row: refused, reported."""
    from registry.tests.test_import import write_csv

    w.located_grid()
    path = write_csv(
        tmp_path / "bad.csv",
        HOUSE_HEADER,
        [[w.VILLAGE, "白沙大道", "8号", "", "", "自住", "", ""],
         [w.VILLAGE, "白沙大道", "9号", "", "", "宫殿", "", ""]],
    )  # fmt: skip
    seen: list[tuple[int, int]] = []
    real = imports.import_file

    def spy(*args, **kwargs):
        progress = kwargs["progress"]
        kwargs["progress"] = lambda r: (seen.append((r.rows_checked, r.records_written)),
                                        progress(r))  # fmt: skip
        return real(*args, **kwargs)

    imports.import_file = spy
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/registry/imports/", {"kind": "houses", "file": upload(path)})
    finally:
        imports.import_file = real
    job = RegistryImport.objects.get()
    assert seen == [(2, 1)]
    assert (job.status, job.rows_checked, job.problem_count) == ("refused", 2, 1)
    assert not House.objects.exists()
    page = client.get(f"/registry/imports/{job.pk}/")
    assert page.status_code == 200 and "宫殿" in page.content.decode()
    assert 'id="import-progress" hx-get' not in page.content.decode()  # finished: no poll
    report = client.get(f"/registry/imports/{job.pk}/problems.csv")
    assert "bad.csv,3,用途" in report.content.decode()


def test_a_running_import_is_polled(client, admin):
    """R11.1: while running, the page polls its progress part with htmx."""
    job = RegistryImport.objects.create(
        kind="residents", file_name="a.csv", region_code="440703", status="running"
    )
    page = client.get(f"/registry/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    part = client.get(f"/registry/imports/{job.pk}/", headers={"HX-Request": "true"})
    assert part.content.decode().lstrip().startswith("<section")


def test_console_list_templates_and_form_errors(client, admin):
    """R11.1: the list offers the templates (Chinese headers) and refuses a bad upload (400)."""
    page = client.get("/registry/imports/")
    assert page.status_code == 200
    template = client.get("/registry/imports/template/residents/")
    text = template.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("姓名,人口类别,证件类型,证件号码")
    assert "[id_number]" in text
    refused = client.post("/registry/imports/", {"kind": "houses"})
    assert refused.status_code == 400


def test_the_command_imports_and_refuses_a_bad_file_in_one_line(tmp_path, capsys):
    """R11.1: a bad file: one line, exit code 1, nothing written; a good one: its summary."""
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,身份证\n张三,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头与导入模板不符"):
        call_command("import_registry", "residents", str(bad))
    path = houses_file(tmp_path)
    call_command("import_registry", "houses", str(path), "--dry-run")
    assert not House.objects.exists()
    call_command("import_registry", "houses", str(path), "--region", "440703")
    assert "导入 3 条记录" in capsys.readouterr().out
    assert House.objects.count() == 3


def test_an_upload_whose_row_is_not_written_leaves_no_file_on_disk(admin, tmp_path, settings):
    """R22.1: the uploaded file holds personal numbers in clear; if storing the import fails
    (here the database refuses the row), the file written to the media directory goes too."""
    from unittest import mock

    from django.db import DatabaseError

    from registry.importing import NewImport

    path = houses_file(tmp_path)
    new = NewImport(kind="houses", upload=upload(path), dry_run=False, region_code="")
    refused = mock.patch.object(RegistryImport, "save", side_effect=DatabaseError("refused"))
    with refused, pytest.raises(DatabaseError):
        imports.start_import(admin, new)
    media = settings.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert not RegistryImport.objects.exists()


def test_every_upload_is_in_the_audit_trail_even_a_dry_run(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    """R22.1, R28.1: who handed in a file of personal data is audited at the upload, also for a
    dry run that stores nothing; the record names the file, never a number in it."""
    path = houses_file(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(API, {"kind": "houses", "file": upload(path), "dry_run": "true"})
    assert answer.status_code == 202, answer.content
    uploaded = AuditRecord.objects.get(action="registry.import.upload")
    assert uploaded.object_id == str(answer.json()["id"])
    assert uploaded.after["file"] == path.name and uploaded.after["dry_run"] is True
    assert not House.objects.exists()
    assert not AuditRecord.objects.filter(action="registry.import").exists()
