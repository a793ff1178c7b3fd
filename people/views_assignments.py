"""The workers of one grid, and assigning them, as a staff page (R10.1, R10.2, R10.3).

``/people/grids/<code>/``: the grid's active assignments; for those who manage workers
(``WORKER_MANAGERS`` over the grid): assign a worker, make one the grid leader, end an
assignment, move a worker to another grid. Each action is one small form (parsed once) and
one service call (``people.services``, ``people.assignments``), which checks the rules and the
actor's role again and writes the audit record; a refusal is the page again with the reason
(400) and changes nothing. Reached from the grid's page in grid management.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedView
from gridgov.errors import DomainError
from gridgov.parsing import FormIntegerField
from people import assignments, services
from people.models import GridAssignment, GridWorker, WorkerKind, WorkerStatus
from regions.models import Grid

MAX_ID = 2**63 - 1  # BigAutoField
MAX_CHOICES = 300


class _IdField(FormIntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class AssignForm(forms.Form):
    worker = _IdField(label=gettext_lazy("网格员"))
    replace_leader = forms.BooleanField(required=False, label=gettext_lazy("接任在任网格长"))


class LeaderForm(forms.Form):
    worker = _IdField(label=gettext_lazy("网格员"))
    reason = forms.CharField(max_length=200, label=gettext_lazy("原因"))
    replace_leader = forms.BooleanField(required=False, label=gettext_lazy("接任在任网格长"))


class EndForm(forms.Form):
    assignment = _IdField()
    reason = forms.CharField(max_length=200, label=gettext_lazy("结束原因"))


class MoveForm(forms.Form):
    assignment = _IdField()
    grid_code = forms.RegexField(r"^[0-9]{15}$", label=gettext_lazy("调往网格"))
    reason = forms.CharField(max_length=200, label=gettext_lazy("调整原因"))
    replace_leader = forms.BooleanField(required=False, label=gettext_lazy("接任在任网格长"))


ACTIONS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "leader": LeaderForm,
    "end": EndForm,
    "move": MoveForm,
}


def _first_error(form: forms.Form) -> DomainError:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return DomainError(f"{label or field}: {errors[0]}", field=field)


class GridWorkersView(ScopedView):
    """One grid's workers, and the forms to change them."""

    model = Grid
    template_name = "people/grid_workers.html"

    def _grid(self, code: str) -> Grid:
        grid = self.get_queryset().current().filter(code=code).select_related("village").first()
        if grid is None:
            raise Http404("no current grid with this code in your jurisdiction")
        return grid

    def _worker(self, pk: int) -> GridWorker:
        worker = scoping.scope_queryset(self.request.user, GridWorker.objects.filter(pk=pk))
        found = worker.select_related("village").first()
        if found is None:
            raise DomainError(_("网格员不存在或不在管辖范围内"), field="worker")
        return found

    def _assignment(self, grid: Grid, pk: int) -> GridAssignment:
        found = (
            scoping.scope_queryset(self.request.user, GridAssignment.objects.active())
            .filter(pk=pk, grid_code=grid.code)
            .select_related("worker")
            .first()
        )
        if found is None:
            raise DomainError(_("该网格没有这项在岗分配"), field="assignment")
        return found

    def _context(self, grid: Grid) -> dict[str, Any]:
        user = self.request.user
        order = {kind: i for i, kind in enumerate(WorkerKind.values)}
        active = sorted(
            scoping.scope_queryset(
                user, GridAssignment.objects.active().filter(grid_code=grid.code)
            ).select_related("worker__village"),
            key=lambda a: (order.get(a.kind, 9), a.worker.name),
        )
        may_manage = scoping.has_role(user, R.WORKER_MANAGERS, region_code=grid.code)
        context: dict[str, Any] = {
            "grid": grid,
            "assignments": active,
            "has_leader": any(a.kind == WorkerKind.LEADER for a in active),
            "may_manage": may_manage,
        }
        if may_manage:
            serving = [a.worker_id for a in active]
            # Workers of the grid's township, and professionals of departments above it.
            above = [grid.code[:n] for n in (2, 4, 6, 9)]
            context["candidates"] = list(
                scoping.scope_queryset(user, GridWorker.objects.filter(status=WorkerStatus.ACTIVE))
                .filter(
                    Q(region_code__startswith=grid.code[:9])
                    | Q(kind=WorkerKind.PROFESSIONAL, region_code__in=above)
                )
                .exclude(pk__in=serving)
                .order_by("kind", "name")[:MAX_CHOICES]
            )
            context["other_grids"] = list(
                scoping.scope_queryset(user, Grid.objects.current())
                .filter(code__startswith=grid.code[:9])
                .exclude(code=grid.code)
                .order_by("code")
                .only("code", "name")[:MAX_CHOICES]
            )
        return context

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        grid = self._grid(code)
        return render(request, self.template_name, self._context(grid))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        grid = self._grid(code)
        form_class = ACTIONS.get(request.POST.get("action", ""))
        try:
            if form_class is None:
                raise DomainError(_("未知操作"), field="action")
            form = form_class(request.POST)
            if not form.is_valid():
                raise _first_error(form)
            done = self._act(grid, request.POST["action"], form.cleaned_data)
        except DomainError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from exc
            context = {**self._context(grid), "error": exc, "posted": request.POST}
            return render(request, self.template_name, context, status=exc.http_status)
        messages.success(request, done)
        return HttpResponseRedirect(reverse("people:grid-workers", args=[grid.code]))

    def _act(self, grid: Grid, action: str, data: dict[str, Any]) -> str:
        user = self.request.user
        if action == "assign":
            worker = self._worker(data["worker"])
            services.assign_worker(user, worker, grid.code, replace_leader=data["replace_leader"])
            return _("已将 %(name)s 分配到本网格。") % {"name": worker.name}
        if action == "leader":
            worker = self._worker(data["worker"])
            assignments.appoint_leader(
                user,
                worker,
                grid.code,
                reason=data["reason"],
                replace_leader=data["replace_leader"],
            )
            return _("%(name)s 已任本网格网格长。") % {"name": worker.name}
        assignment = self._assignment(grid, data["assignment"])
        name = assignment.worker.name
        if action == "end":
            services.end_assignment(user, assignment, reason=data["reason"])
            return _("已结束 %(name)s 在本网格的分配。") % {"name": name}
        target = data["grid_code"]
        assignments.move_assignment(
            user, assignment, target, reason=data["reason"], replace_leader=data["replace_leader"]
        )
        return _("已将 %(name)s 调至网格 %(grid)s。") % {"name": name, "grid": target}
