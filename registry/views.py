"""The registry's staff pages (R11.1 (二), R22.1): the search over residents, addresses,
organisations and places, and the page of each record: an address with its tree, a house with
everyone in it, a household, a resident (masked, with a logged reveal, tags as the visibility
table allows, residence history and the history of every field change), an organisation, a
place, a thing. Lists and exports are in ``views_lists``, statistics and due lists in
``views_stats``. Every queryset goes through ``scope_queryset``; nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from gridgov.access import scoping
from gridgov.access.web import ScopedDetailView, ScopedView
from gridgov.errors import DomainError, Forbidden, RateLimited
from people.exact_search import may_search
from people.services import reveal
from registry import filters, history, inspections, paging
from registry.lists import SPECS
from registry.models import (
    House,
    Household,
    Organisation,
    Place,
    ResidenceSpell,
    Resident,
    ResidentKind,
    ResidentStatus,
    SpecialGroupTag,
    StandardAddress,
    Thing,
)
from registry.views_areas import area_filter
from registry.views_lists import filtered

SECTION_SIZE = 20
TREE_LIMIT = 2000  # addresses shown below one address


def count_text(queryset: QuerySet) -> str:
    n, more = paging.bounded_count(queryset)
    return f"{n}+" if more else str(n)


class SearchView(ScopedView):
    """``/registry/``: one box over residents (name), addresses (text), organisations (name,
    credit code) and places, with the area, resident kind and status filters. A full ID or
    mobile number is an exact search of residents (people.exact_search: revealers only,
    logged)."""

    model = Resident

    def get(self, request: HttpRequest) -> HttpResponse:
        f = filters.parse(request.GET)
        user = request.user
        sections: list[dict[str, Any]] = []
        status, retry_after = 200, None
        area = area_filter(user, request.GET, f)
        if area.refused:
            status = 400  # the field says why; nothing searched under a refused area
        elif f.q:
            try:
                residents = filtered(user, SPECS["residents"], f)
            except (Forbidden, RateLimited) as refused:
                messages.error(request, refused.message)
                residents = Resident.objects.none()
                status = refused.http_status
                retry_after = getattr(refused, "retry_after", None)
            sections.append(self._section("residents", residents.order_by("name", "pk")))
            if not f.is_number_search:
                addresses = filters.in_area(
                    scoping.scope_queryset(user, StandardAddress.objects.all()), f.area
                ).filter(full_text__icontains=f.q, retired_at__isnull=True)
                sections.append(self._section("addresses", addresses.order_by("full_text", "pk")))
                plain = filters.Filters(q=f.q, area=f.area)
                for key in ("organisations", "places"):
                    rows = filtered(user, SPECS[key], plain).order_by("name", "pk")
                    sections.append(self._section(key, rows))
        context = {
            "filters": f,
            "sections": sections,
            "area": area,
            "kinds": ResidentKind.choices,
            "statuses": ResidentStatus.choices,
            "may_search_numbers": may_search(user),
            "query": request.GET.urlencode(),
        }
        response = render(request, "registry/search.html", context, status=status)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @staticmethod
    def _section(key: str, queryset: QuerySet) -> dict[str, Any]:
        titles = {"addresses": StandardAddress._meta.verbose_name_plural}
        return {
            "key": key,
            "title": titles.get(key) or SPECS[key].title,
            "rows": list(queryset[:SECTION_SIZE]),
            "count": count_text(queryset),
        }


class AddressDetailView(ScopedDetailView):
    """An address and its tree: the addresses above it, everything below it (building → unit
    → floor → room), the houses there and who lives in them, masked."""

    model = StandardAddress
    template_name = "registry/address.html"
    context_object_name = "address"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        address = self.object
        user = self.request.user
        scoped = scoping.scope_queryset(user, StandardAddress.objects.all())
        ancestors = []
        parent_id = address.parent_id
        while parent_id is not None and len(ancestors) < 8:
            parent = scoped.filter(pk=parent_id).first()
            if parent is None:
                break
            ancestors.insert(0, parent)
            parent_id = parent.parent_id
        # Below: one query per level (at most four levels below a street number).
        nodes: list[tuple[int, StandardAddress]] = []
        level_ids = [address.pk]
        depth = 0
        children_of: dict[int, list[StandardAddress]] = {}
        while level_ids and len(nodes) < TREE_LIMIT and depth < 5:
            depth += 1
            children = list(scoped.filter(parent_id__in=level_ids).order_by("code")[:TREE_LIMIT])
            for child in children:
                children_of.setdefault(child.parent_id, []).append(child)
            level_ids = [c.pk for c in children]
            nodes.extend((depth, c) for c in children)

        def walk(pk: int, depth: int) -> list[tuple[int, StandardAddress]]:
            out = []
            for child in children_of.get(pk, []):
                out.append((depth, child))
                out.extend(walk(child.pk, depth + 1))
            return out

        tree = walk(address.pk, 1)
        ids = [address.pk, *(a.pk for _d, a in tree)]
        living = scoping.scope_queryset(user, Resident.objects.all()).filter(
            status=ResidentStatus.LIVING, merged_into__isnull=True
        )
        houses = {
            h.address_id: h
            for h in scoping.scope_queryset(user, House.objects.all())
            .filter(address_id__in=ids)
            .prefetch_related(Prefetch("residents", queryset=living.order_by("name", "pk")))
        }
        context.update(
            ancestors=ancestors,
            tree=[(d, a, houses.get(a.pk)) for d, a in tree],
            house=houses.get(address.pk),
            truncated=len(nodes) >= TREE_LIMIT,
        )
        return context


class HouseDetailView(ScopedDetailView):
    """A house: use, owner, rental status, everyone living in it with their relation, the
    tenants among them, and who lived there before; numbers masked."""

    model = House
    template_name = "registry/house.html"
    context_object_name = "house"

    def get_queryset(self) -> QuerySet[House]:
        return super().get_queryset().select_related("address", "owner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        residents = list(
            scoping.scope_queryset(user, Resident.objects.all())
            .filter(house=self.object, status=ResidentStatus.LIVING, merged_into__isnull=True)
            .select_related("household")
            .order_by("name", "pk")
        )
        past = (
            scoping.scope_queryset(user, ResidenceSpell.objects.all())
            .filter(house=self.object, ended_on__isnull=False)
            .select_related("resident")
            .order_by("-ended_on", "pk")[:100]
        )
        context.update(
            residents=residents,
            tenants=[r for r in residents if r.house_relation == "tenant"],
            past=past,
        )
        return context


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "registry/household.html"
    context_object_name = "household"

    def get_queryset(self) -> QuerySet[Household]:
        return super().get_queryset().select_related("address", "head")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = (
            scoping.scope_queryset(self.request.user, Resident.objects.all())
            .filter(household=self.object, merged_into__isnull=True)
            .select_related("house__address")
            .order_by("name", "pk")
        )
        return context


class ResidentDetailView(ScopedDetailView):
    """A resident: masked numbers with a reveal form for those who may (a reason, logged),
    tags as the visibility table allows, residence history, the history of every change."""

    model = Resident
    template_name = "registry/resident.html"
    context_object_name = "resident"

    def get_queryset(self) -> QuerySet[Resident]:
        return super().get_queryset().select_related("house__address", "household", "merged_into")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        resident = self.object
        user = self.request.user
        context.update(
            tags=scoping.scope_queryset(user, SpecialGroupTag.objects.all())
            .filter(resident=resident)
            .order_by("ended_on", "kind", "-started_on"),
            residences=scoping.scope_queryset(user, ResidenceSpell.objects.all())
            .filter(resident=resident)
            .select_related("house__address")
            .order_by("-started_on", "-pk"),
            changes=history.field_history(resident, user),
            may_reveal=scoping.has_role(
                user, type(resident).REVEALERS, region_code=resident.region_code
            ),
            revealed=kwargs.get("revealed", {}),
            reveal_error=kwargs.get("reveal_error", ""),
            reveal_url_name="registry:resident-reveal",
        )
        return context


class OrganisationDetailView(ScopedDetailView):
    model = Organisation
    template_name = "registry/organisation.html"
    context_object_name = "organisation"

    def get_queryset(self) -> QuerySet[Organisation]:
        return super().get_queryset().select_related("address")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = self.object
        context.update(
            places=scoping.scope_queryset(self.request.user, Place.objects.all())
            .filter(organisation=organisation)
            .order_by("name", "pk"),
            changes=history.field_history(organisation, self.request.user),
            may_reveal=scoping.has_role(
                self.request.user, Organisation.REVEALERS, region_code=organisation.region_code
            ),
            revealed=kwargs.get("revealed", {}),
            reveal_error=kwargs.get("reveal_error", ""),
        )
        return context


class PlaceDetailView(ScopedDetailView):
    model = Place
    template_name = "registry/place.html"
    context_object_name = "place"

    def get_queryset(self) -> QuerySet[Place]:
        return super().get_queryset().select_related("address", "organisation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            next_inspection=inspections.next_inspection(self.object),
            changes=history.field_history(self.object, self.request.user),
        )
        return context


class ThingDetailView(ScopedDetailView):
    model = Thing
    template_name = "registry/thing.html"
    context_object_name = "thing"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["changes"] = history.field_history(self.object, self.request.user)
        return context


class RevealView(ScopedView):
    """POST field + reason → the record's page with the value shown once; the reveal goes
    through people.services.reveal (its role rule, the reason, the access log)."""

    http_method_names = ["post"]
    detail_view: type[ScopedDetailView]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        field = request.POST.get("field", "")
        try:
            value = reveal(request.user, obj, field, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            return self._detail(request, obj, status=exc.http_status, reveal_error=exc.message)
        return self._detail(request, obj, revealed={field: value})

    def _detail(self, request: HttpRequest, obj: Any, *, status: int = 200, **extra: Any) -> Any:
        view = self.detail_view()
        view.setup(request, pk=obj.pk)
        view.object = view.get_queryset().get(pk=obj.pk)
        context = view.get_context_data(object=view.object, **extra)
        return render(request, view.template_name, context, status=status)


class ResidentRevealView(RevealView):
    model = Resident
    detail_view = ResidentDetailView


class OrganisationRevealView(RevealView):
    model = Organisation
    detail_view = OrganisationDetailView
