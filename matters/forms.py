"""Forms of the staff pages. They parse input only; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.parsing import FormIntegerField
from matters.models import ChangeKind, LimitUnit
from people.models import AgencyLevel, Department

UNIT_CHOICES = LimitUnit.choices


def county_departments(county_codes: list[str]) -> QuerySet[Department]:
    """Active county-level departments of these counties (who may lead an entry there)."""
    return (
        Department.objects.filter(
            region__code__in=county_codes, level=AgencyLevel.COUNTY, is_active=True
        )
        .select_related("region", "kind")
        .order_by("region__code", "kind__sort_order", "name")
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.name


class DepartmentMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.name


class TermsMixin(forms.Form):
    lead_department = DepartmentChoiceField(
        label=_("牵头(责任)部门"), queryset=Department.objects.none()
    )
    co_departments = DepartmentMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.none(), required=False
    )
    dispatch_limit_amount = FormIntegerField(label=_("派遣时限"), min_value=1)
    dispatch_limit_unit = forms.ChoiceField(
        label=_("单位"), choices=UNIT_CHOICES, initial=LimitUnit.WORKHOURS
    )
    handling_limit_amount = FormIntegerField(label=_("办理时限"), min_value=1)
    handling_limit_unit = forms.ChoiceField(
        label=_("单位"), choices=UNIT_CHOICES, initial=LimitUnit.WORKDAYS
    )
    amber_threshold_percent = FormIntegerField(
        label=_("黄灯预警比例(%)"), min_value=1, max_value=99, initial=80, required=False
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def set_departments(self, departments: QuerySet[Department]) -> None:
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments


class EntryForm(TermsMixin):
    item = forms.CharField(
        label=_("事项编码"), max_length=16, widget=forms.TextInput(attrs={"list": "catalogue"})
    )
    field_order = ["item", "lead_department", "co_departments"]


class EntryEditForm(TermsMixin):
    pass


class ChangeRequestForm(TermsMixin):
    county = forms.ChoiceField(label=_("县(市、区)"))
    kind = forms.ChoiceField(label=_("申请类型"), choices=ChangeKind.choices)
    item = forms.CharField(
        label=_("事项编码"), max_length=16, widget=forms.TextInput(attrs={"list": "catalogue"})
    )
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["county", "kind", "item", "reason"]

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = counties
        # Terms are optional here: "add" needs them, "change" names only what changes.
        for name in ("lead_department", "dispatch_limit_amount", "handling_limit_amount"):
            self.fields[name].required = False
        for name in ("dispatch_limit_unit", "handling_limit_unit"):
            self.fields[name].required = False
            self.fields[name].choices = [("", "—"), *UNIT_CHOICES]
            self.fields[name].initial = ""
        self.fields["amber_threshold_percent"].initial = None


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))
