"""The phone app's JavaScript messages, translated on the server (one catalogue for all)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cases.models import State

register = template.Library()


def texts() -> dict[str, Any]:
    return {
        "states": {value: str(label) for value, label in State.choices},
        "pending": _("待发送"),
        "sending": _("发送中…"),
        "retry": _("第 {n} 次发送未成功,{when} 再试"),
        "auth": _("登录已过期:请重新登录,登录后自动发送"),
        "login": _("重新登录"),
        "failed": _("发送失败"),
        "discard": _("删除"),
        "conflict": _("未保存:该编号已用于事件 {code},内容不同"),
        "send_as_new": _("作为新的上报发送"),
        "discard_confirm": _("删除后这条记录不会再发送,确定删除?"),
        "queued": _("已保存到本机“待发送”,联网后自动发送。"),
        "queued_retry": _("网络不可用,已保存到“待发送”,稍后自动重试。"),
        "sent_report": _("已上报,查询码 {code}({state})"),
        "sent_action": _("已提交:{code} {state}"),
        "sent_later": _("“{title}”已发送"),
        "need_point": _("请先定位,或在地图上点选位置"),
        "need_matter": _("请选择事项"),
        "need_description": _("请填写描述"),
        "need_settle_note": _("请写明现场处置情况"),
        "need_choice": _("请选择结果"),
        "need_note": _("请填写说明"),
        "involved_item": _("第 {n} 位涉及人员:{message}"),
        "photo_busy": _("照片处理中,请稍候"),
        "photo_bad": _("无法读取照片 {name}"),
        "photo_remove": _("移除"),
        "gps_wait": _("正在获取定位…"),
        "gps_ok": _("已定位(精度约 {m} 米),可拖动标记微调"),
        "gps_fail": _("定位失败({why}),请在地图上点选位置"),
        "gps_none": _("本机不支持定位,请在地图上点选位置"),
        "map_point": _("已在地图上选定位置,可拖动标记微调"),
        "outside": _("该位置不在您负责的网格内,仍可上报"),
        "no_match": _("没有匹配的事项"),
        "report": _("上报"),
        "verify": _("核实"),
        "settle": _("现场处置"),
        "check": _("核查"),
        "proposal": _("基础信息采集"),
        "proposal_pending": _("已提交,待审核"),
        "proposal_confirmed": _("已生效"),
        "conflict_proposal": _("未保存:该编号已用于另一条采集信息,内容不同"),
        "need_field": _("请填写{name}"),
    }


@register.simple_tag
def field_text() -> SafeString:
    return json_script(texts(), "field-text")
