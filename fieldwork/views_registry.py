"""The basic-information pages of the phone app (``/m/registry/``; R11.1 (二), R22.1): a grid
worker looks up a house of their grid by address, sees who lives there (masked), and proposes
changes: add a resident, move in or out, tag, correct a resident's facts (name, gender, birth
date, kind, ID type and number, phone, relation to the household head, note), photograph a place,
record a thing's state, add a place. Each form posts here without JavaScript; with JavaScript
(``static/fieldwork/app.js``) it goes through the phone's outbox to
``/api/v1/registry/proposals/`` with its ``client_id`` and the browser's GPS fix. Both parse
through ``registry.api.proposals.submit`` and answer "已提交,待审核" or "已生效".
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedView
from gridgov.errors import DomainError
from registry.api import proposals as proposal_input
from registry.models import (
    CareLevel,
    Gender,
    House,
    HouseRelation,
    Place,
    PlaceKind,
    Proposal,
    ProposalStatus,
    Relation,
    Resident,
    ResidentKind,
    RiskLevel,
    SpecialGroupTag,
    Thing,
    ThingState,
)
from registry.validation import IdType
from registry.visibility import SpecialGroupKind, kinds_visible_to

LIST_LIMIT = 50
# personal numbers a refused form never writes back into the page (R22.1)
NOT_ECHOED = frozenset({"id_number", "phone"})
# the fields of the resident correction with a message slot of their own
RESIDENT_FIELDS = frozenset(
    {"name", "gender", "birth_date", "kind", "id_type", "id_number", "phone", "relation", "note"}
)


def _errors(exc: Exception) -> dict[str, str]:
    """A refusal's messages by field (a DomainError's one field, a serializer's many)."""
    if isinstance(exc, DomainError):
        return {exc.field or "general": exc.message}
    detail = getattr(exc, "detail", {})
    if isinstance(detail, dict):
        return {
            str(k): "".join(str(m) for m in (v if isinstance(v, list) else [v]))
            for k, v in detail.items()
        }
    return {"general": str(detail)}


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def outcome_message(proposal: Proposal) -> str:
    if proposal.status == ProposalStatus.CONFIRMED:
        return _("已生效")
    return _("已提交,待审核")


class RegistryFieldView(ScopedView):
    """A basic-information page of the phone app over one registry model."""

    template_name = ""

    def grid_codes(self) -> list[str]:
        return sorted({g.code for g in scoping.grants_for(self.request.user, R.GRID_ROLES)})

    def may_propose(self, obj: Any = None) -> bool:
        code = getattr(obj, "grid_code", "") if obj is not None else ""
        return bool(scoping.has_role(self.request.user, R.GRID_ROLES, region_code=code or None))

    def not_a_grid_worker(self) -> HttpResponse:
        return render(self.request, "fieldwork/not_a_worker.html", status=403)

    def get_object(self, pk: int) -> Model:
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise Http404(_("没有这条记录"))
        return found

    def forms(self) -> dict[str, Any]:
        """What the forms of the page offer (choices; a new key per form)."""
        grants = scoping.grants_for(self.request.user, R.GRID_ROLES)
        tag_kinds = frozenset().union(*(kinds_visible_to(g.role) for g in grants))
        return {
            "client_id": str(uuid.uuid4()),
            "resident_kinds": ResidentKind.choices,
            "house_relations": HouseRelation.choices,
            "genders": Gender.choices,
            "id_types": IdType.choices,
            "relations": Relation.choices,
            "tag_kinds": [c for c in SpecialGroupKind.choices if c[0] in tag_kinds],
            "care_levels": CareLevel.choices,
            "place_kinds": PlaceKind.choices,
            "risk_levels": RiskLevel.choices,
            "thing_states": ThingState.choices,
        }

    def render_page(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context = {"errors": {}, "general_errors": {}, "values": {}, **self.forms(), **context}
        return render(self.request, self.template_name, context, status=status)

    def propose(self, obj: Any, context: dict[str, Any]) -> HttpResponse:
        """The page's form without JavaScript: parsed and proposed as the API does."""
        if not self.may_propose(obj):
            return self.not_a_grid_worker()
        try:
            proposal, _new = proposal_input.submit(
                self.request, self.request.POST, self.request.FILES
            )
        except (DomainError, ValidationError) as exc:
            status = getattr(exc, "http_status", 400)
            post = self.request.POST
            form = post.get("change", "")
            errors = _errors(exc)
            own = RESIDENT_FIELDS if form == "resident_update" else frozenset()
            refused = {
                "errors": errors,
                "general_errors": {k: v for k, v in errors.items() if k not in own},
                "form": form,
                "form_subject": _int(post.get("subject")),
                "values": {k: v for k, v in post.items() if k not in NOT_ECHOED},
            }
            return self.render_page({**context, **refused}, status=status)
        messages.success(self.request, f"{proposal.get_kind_display()}:{outcome_message(proposal)}")
        return redirect(self.request.path)


class RegistryHomeView(RegistryFieldView):
    """基础信息: houses of my grids by address, key places and things, my proposals."""

    scope_model = House
    template_name = "fieldwork/registry/home.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = self.grid_codes()
        if not codes:
            return self.not_a_grid_worker()
        q = request.GET.get("q", "").strip()[:100]
        houses = self.get_queryset().select_related("address").filter(address__grid_code__in=codes)
        if q:
            houses = houses.filter(address__full_text__icontains=q)
        places = scoping.scope_queryset(request.user, Place.objects.filter(grid_code__in=codes))
        things = scoping.scope_queryset(request.user, Thing.objects.filter(grid_code__in=codes))
        return self.render_page(
            {
                "q": q,
                "houses": list(houses.order_by("address__full_text")[:LIST_LIMIT]) if q else [],
                "places": list(places.order_by("name")[:LIST_LIMIT]),
                "things": list(things.order_by("kind", "pk")[:LIST_LIMIT]),
            }
        )


class HouseView(RegistryFieldView):
    """One house: who lives there (masked, with the tags I may see), and the forms."""

    scope_model = House
    template_name = "fieldwork/registry/house.html"

    def context(self, house: House) -> dict[str, Any]:
        user = self.request.user
        tags = scoping.scope_queryset(user, SpecialGroupTag.objects.filter(ended_on__isnull=True))
        residents = scoping.scope_queryset(
            user,
            Resident.objects.filter(house=house, status="living", merged_into__isnull=True),
        ).prefetch_related(Prefetch("tags", queryset=tags, to_attr="open_tags"))
        movers = scoping.scope_queryset(
            user,
            Resident.objects.filter(grid_code=house.address.grid_code, merged_into__isnull=True)
            .exclude(house=house)
            .exclude(status="deceased"),
        )
        return {
            "house": house,
            "residents": list(residents.order_by("name", "pk")),
            "movers": list(movers.order_by("name", "pk")[:LIST_LIMIT]),
            "may_propose": self.may_propose(house.address),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        house = self.get_object(pk)
        return self.render_page(self.context(house))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        house = self.get_object(pk)
        return self.propose(house.address, self.context(house))

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("address")


class PlaceView(RegistryFieldView):
    """A key place: photograph it, record an inspection, its risk level."""

    scope_model = Place
    template_name = "fieldwork/registry/place.html"

    def context(self, place: Place) -> dict[str, Any]:
        # the photos taken when it was added or at a later round, once in effect
        photos = scoping.scope_queryset(
            self.request.user,
            Proposal.objects.filter(status=ProposalStatus.CONFIRMED)
            .filter(
                Q(kind="place_update", subject_id=place.pk)
                | Q(kind="place_add", result_id=place.pk)
            )
            .exclude(photo=""),
        )
        return {
            "place": place,
            "photos": list(photos.order_by("-created_at")[:6]),
            "may_propose": self.may_propose(place),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(self.context(self.get_object(pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        place = self.get_object(pk)
        return self.propose(place, self.context(place))


class ThingView(RegistryFieldView):
    """A thing (部件): its state now, and the form to record a new one."""

    scope_model = Thing
    template_name = "fieldwork/registry/thing.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        thing = self.get_object(pk)
        return self.render_page({"thing": thing, "may_propose": self.may_propose(thing)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        thing = self.get_object(pk)
        return self.propose(thing, {"thing": thing, "may_propose": self.may_propose(thing)})


class PlaceAddView(RegistryFieldView):
    """A new key place found on the round (at a point of my grid)."""

    scope_model = Proposal
    template_name = "fieldwork/registry/place_add.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.grid_codes():
            return self.not_a_grid_worker()
        return self.render_page({"grids": self.grid_codes()})

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.propose(None, {"grids": self.grid_codes()})


class MyProposalsView(RegistryFieldView):
    """我的采集: what I proposed, with its outcome and the reviewer's reason."""

    scope_model = Proposal
    template_name = "fieldwork/registry/proposals.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.grid_codes():
            return self.not_a_grid_worker()
        mine = self.get_queryset().filter(proposer=request.user).order_by("-created_at", "-pk")
        return self.render_page({"proposals": list(mine[:LIST_LIMIT])})
