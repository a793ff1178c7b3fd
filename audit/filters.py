"""Filters of the audit trail and the personal-data access log, shared by the web UI, the
exports and the API (R28.1, R22.1)."""

from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.models import AuditRecord, PersonalDataAccess


class _LogFilter(django_filters.FilterSet):
    """The filters both logs share; ``q`` searches the subclass's ``search_fields``."""

    search_fields: tuple[str, ...] = ()

    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label=_("起始时间")
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="lte", label=_("截止时间")
    )
    since_date = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("起始日期")
    )
    until_date = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("截止日期")
    )
    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("操作人")
    )
    role = django_filters.CharFilter(field_name="role", label=_("角色"))
    region = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", label=_("区域代码(前缀)")
    )
    request_id = django_filters.CharFilter(field_name="request_id", label=_("请求编号"))
    channel = django_filters.CharFilter(field_name="channel", label=_("渠道"))

    class Meta:
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields))
        )


class AuditRecordFilter(_LogFilter):
    action = django_filters.CharFilter(
        field_name="action", lookup_expr="startswith", label=_("操作(前缀)")
    )
    object_type = django_filters.CharFilter(field_name="object_type", label=_("对象类型"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("对象标识"))
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    search_fields = ("object_repr", "note", "action")

    class Meta(_LogFilter.Meta):
        model = AuditRecord


class PersonalDataAccessFilter(_LogFilter):
    subject_type = django_filters.CharFilter(field_name="subject_type", label=_("对象类型"))
    subject_id = django_filters.CharFilter(field_name="subject_id", label=_("对象标识"))
    field = django_filters.CharFilter(field_name="field", label=_("字段"))
    granted = django_filters.BooleanFilter(field_name="granted", label=_("已显示"))
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    search_fields = ("subject_repr", "reason")

    class Meta(_LogFilter.Meta):
        model = PersonalDataAccess
