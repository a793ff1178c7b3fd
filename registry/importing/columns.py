"""The column layouts of registry imports (R11.1): one per kind (residents, houses with their
standard addresses, organisations).

A layout is a file format: its header row is in Chinese (what the template offers for
download), and each column's English code is accepted in its place (``姓名`` or ``name``).
Columns may come in any order; unknown columns are refused (a typo would otherwise drop data).
Choice columns take the Chinese label or the code (``流动人口`` or ``floating``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from people.models import Gender
from registry.models import (
    HouseRelation,
    HouseUse,
    ImportKind,
    OrganisationKind,
    OrganisationStatus,
    Relation,
    RentalStatus,
    ResidentKind,
)
from registry.validation import IdType


@dataclass(frozen=True)
class Column:
    code: str  # the English code, accepted as a header
    header: str  # the Chinese header of the template (a file format: not translated)
    required: bool = False
    choices: type[models.TextChoices] | None = None
    note: str = ""  # what the template's second row says about the column


def _c(code: str, header: str, note: str = "", **kwargs: object) -> Column:
    return Column(code, header, note=note, **kwargs)  # type: ignore[arg-type]


WHERE = [
    _c("region_code", "村(社区)代码", "12 位行政区划代码;填写地址编码或网格编码时可空"),
    _c("grid_code", "网格编码", "15 位,可空"),
]
ADDRESS_REF = [
    _c("address_code", "地址编码", "20 位标准地址编码;与“房屋地址”二选一"),
    _c("address_text", "房屋地址", "村(社区)内的完整标准地址,如 白沙大道8号3栋502室"),
]

LAYOUTS: dict[str, list[Column]] = {
    ImportKind.RESIDENTS: [
        _c("name", "姓名", "必填", required=True),
        _c("kind", "人口类别", "户籍人口/流动人口/境外人员,默认户籍人口", choices=ResidentKind),
        _c("id_type", "证件类型", "默认居民身份证", choices=IdType),
        _c("id_number", "证件号码", "必填;身份证须校验位正确", required=True),
        _c("gender", "性别", "男/女;身份证可空(由号码确定)", choices=Gender),
        _c("birth_date", "出生日期", "YYYY-MM-DD;身份证可空(由号码确定)"),
        _c("phone", "联系电话", "11 位手机号码,可空"),
        *WHERE,
        *ADDRESS_REF,
        _c("house_relation", "与房屋关系", "产权人/家庭成员/租客/借住/其他", choices=HouseRelation),
        _c("living_since", "入住日期", "YYYY-MM-DD,默认今天"),
        _c("household_number", "户号", "同一村(社区)内同户号为一户,可空"),
        _c("relation", "与户主关系", "有户号时必填:户主/配偶/子女……", choices=Relation),
        _c("note", "备注"),
    ],
    ImportKind.HOUSES: [
        _c("region_code", "村(社区)代码", "必填,12 位", required=True),
        _c("road", "街路巷", "必填", required=True),
        _c("number", "门牌号", "必填,如 8号", required=True),
        _c("building", "楼栋", "如 3栋,可空"),
        _c("unit", "单元", "如 1单元,可空(填写时须有户室)"),
        _c("floor", "楼层", "如 5层,可空(填写时须有户室)"),
        _c("room", "户室", "如 502室,可空"),
        _c("lng", "经度", "WGS 84,可空;与纬度同时填写"),
        _c("lat", "纬度", "WGS 84,可空"),
        _c("grid_code", "网格编码", "无坐标时可填,15 位"),
        _c("use", "用途", "自住/出租/商用/商住混用/空置/其他", required=True, choices=HouseUse),
        _c("rental_status", "出租状态", "未出租/整租/合租/分租,默认未出租", choices=RentalStatus),
        _c("owner_name", "产权人名称"),
        _c("area_m2", "建筑面积(平方米)"),
        _c("note", "备注"),
    ],
    ImportKind.ORGANISATIONS: [
        _c("name", "名称", "必填", required=True),
        _c("kind", "类别", "企业/个体工商户/社会组织……", required=True, choices=OrganisationKind),
        _c("credit_code", "统一社会信用代码", "18 位,校验位须正确;未登记的可空"),
        *WHERE,
        _c("address_code", "地址编码", "20 位,可空"),
        _c("address_text", "地址", "村(社区)内的完整标准地址,可空"),
        _c("contact_name", "联系人"),
        _c("contact_phone", "联系人手机", "11 位手机号码,可空"),
        _c("status", "状态", "存续/注销/停业,默认存续", choices=OrganisationStatus),
        _c("note", "备注"),
    ],
}

# The template's second row explains each column; a row whose first cell starts so is skipped.
NOTE_PREFIX = "说明"

KIND_LABELS = {
    ImportKind.RESIDENTS: _("实有人口"),
    ImportKind.HOUSES: _("实有房屋"),
    ImportKind.ORGANISATIONS: _("组织"),
}


def layout(kind: str) -> list[Column]:
    return LAYOUTS[kind]


def choice_values(choices: type[models.TextChoices]) -> dict[str, str]:
    """What a cell may say for a choice → its code: the code itself and its Chinese label
    (labels with a slash count by each part: ``合租/分租``)."""
    values: dict[str, str] = {}
    with translation.override("zh-hans"):
        for code, label in choices.choices:
            values[code.lower()] = code
            for part in str(label).split("/"):
                values[part.strip()] = code
            values[str(label)] = code
    return values


def template_rows(kind: str) -> list[list[str]]:
    """The template: the header row (Chinese) and a row of notes (with the English codes)."""
    columns = layout(kind)
    return [
        [c.header for c in columns],
        [f"{NOTE_PREFIX}[{c.code}] {c.note}".strip() for c in columns],
    ]
