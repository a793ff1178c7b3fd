"""A case's whole file (R26.2): JSON for systems, PDF (Chinese text) for people and courts.

Both carry every archive event with its hash and every attachment with its SHA-256. The JSON
file (``gridgov-case-file/2``) carries each event exactly as its hash covers it (actor ids and
UTC times included), so it can be checked on its own, without the database:
``manage.py verify_archive --file`` or ``python -m cases.chain`` (docs/archive.md).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases import archive, chain, involved, labels, links
from cases.models import Case

FONT = "STSong-Light"  # a CID font every PDF reader has: no font file to ship or embed
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def case_file(case: Case, user: Any = None) -> dict[str, Any]:
    events = list(case.events.order_by("seq"))
    broken = archive.verify_events(case.pk, events, (case.archive_seq, case.archive_head))
    return {
        "format": chain.FORMAT,
        "exported_at": timezone.localtime().isoformat(),
        "case": {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "state": case.state,
            "channel": case.channel,
            "urgency": case.urgency,
            "description": case.description,
            "address": case.address,
            "lng": case.lng,
            "lat": case.lat,
            "grid": case.grid_code,
            "matter": case.matter_code,
            "matter_name": case.entry.item.name,
            "admission_list_version": case.entry.version_id,
            "lead_department": case.lead_department.name if case.lead_department else None,
            "reporter_name": case.reporter_name,
            "reporter_phone": case.reporter_phone_masked,
            "created_at": case.created_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "rating": case.rating or None,
        },
        # masked, as on the case page: a file handed out carries no clear number (R22.1)
        "involved": involved.masked(case.involved_persons.all()),
        # registry records by id, kind and name (an organisation's phone masked)
        "links": links.masked(case.links.all()),
        "assignments": [
            {
                "department": a.department.name,
                "role": a.role,
                "state": a.state,
                "dispatched_at": a.dispatched_at.isoformat(),
                "due_at": a.due_at.isoformat() if a.due_at else None,
                "feedback": a.feedback,
                "return_reason": a.return_reason,
            }
            for a in case.assignments.select_related("department")
        ],
        "attachments": [
            {
                "name": f.original_name,
                "sha256": f.sha256,
                "size": f.size,
                "content_type": f.content_type,
                "event": f.event.seq if f.event else None,
                "public": f.public,
            }
            for f in case.attachments.select_related("event")
        ],
        # each event exactly as its hash covers it (cases.chain.CANONICAL_KEYS), then its hashes
        "events": [
            {**archive.content(e), "prev_hash": e.prev_hash, "hash": e.hash} for e in events
        ],
        "chain": {
            "intact": broken is None,
            "problem": str(broken) if broken else None,
            "seq": case.archive_seq,
            "head": case.archive_head,
        },
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _involved_text(case: Case) -> str:
    return "\n".join(
        " ".join(
            part
            for part in (
                p.name_shown or "-",
                f"({p.get_role_display()})",
                p.phone_shown,
                p.id_number_shown,
                p.note,
            )
            if part
        )
        for p in case.involved_persons.all()
    )


def _links_text(case: Case) -> str:
    return "\n".join(
        " ".join(
            part
            for part in (link.get_kind_display(), str(link.record), f"#{link.record_id}", link.note)
            if part
        )
        for link in case.links.all()
    )


def case_pdf(case: Case, user: Any = None) -> bytes:
    """The case file for people: names rather than account names, the actions and states
    in the reader's language, local times (Asia/Shanghai), every hash (R26.2)."""
    events = list(case.events.order_by("seq").select_related("actor"))
    broken = archive.verify_events(case.pk, events, (case.archive_seq, case.archive_head))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", fontName=FONT, fontSize=7, leading=9)
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=20, spaceAfter=6)
    heading = ParagraphStyle(
        "heading", fontName=FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
    )
    if broken is None:
        chain_state = gettext("完整")
    else:
        chain_state = gettext("已破坏:%(problem)s") % {"problem": str(broken)}
    story: list[Any] = [
        _p(gettext("事件电子档案 %(code)s") % {"code": case.tracking_code}, title),
        _p(
            gettext("导出时间:%(at)s  档案链校验:%(chain)s")
            % {"at": labels.local(timezone.now()), "chain": chain_state},
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    facts = [
        (gettext("状态"), case.get_state_display()),
        (gettext("来源"), case.get_channel_display()),
        (gettext("事项"), f"{case.matter_code} {case.entry.item.name}"),
        (gettext("网格"), case.grid_code),
        (gettext("位置"), f"{case.lng:.6f}, {case.lat:.6f} {case.address}"),
        (gettext("描述"), case.description),
        (gettext("牵头部门"), case.lead_department.name if case.lead_department else "—"),
        (gettext("反映人"), f"{case.reporter_name} {case.reporter_phone_masked}".strip() or "—"),
        (gettext("涉及人员"), _involved_text(case) or "—"),
        (gettext("关联登记信息"), _links_text(case) or "—"),
        (gettext("上报时间"), labels.local(case.created_at)),
        (gettext("结案时间"), labels.local(case.closed_at)),
        (gettext("评价"), case.get_rating_display() if case.rating else "—"),
    ]
    table = Table([[_p(k, body), _p(v, body)] for k, v in facts], colWidths=[28 * mm, 150 * mm])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story += [table, _p(gettext("办理过程"), heading)]
    headers = (
        gettext("序号"),
        gettext("时间"),
        gettext("操作人/角色"),
        gettext("操作"),
        gettext("状态"),
        gettext("说明"),
    )
    rows = [[_p(h, body) for h in headers]]
    for e in events:
        role = labels.role_label(e.role)
        states = labels.state_label(e.to_state)
        if e.from_state and e.from_state != e.to_state:
            states = f"{labels.state_label(e.from_state)} → {states}"
        rows.append(
            [
                _p(e.seq, body),
                _p(labels.local(e.at), body),
                _p(f"{labels.actor(e)} / {role}" if role else labels.actor(e), body),
                _p(labels.event_label(e.action), body),
                _p(states, body),
                _p(e.note, body),
            ]
        )
        rows.append(["", _p(f"hash {e.hash}  prev {e.prev_hash}", small), "", "", "", ""])
    table = Table(
        rows, colWidths=[10 * mm, 28 * mm, 34 * mm, 20 * mm, 36 * mm, 50 * mm], repeatRows=1
    )
    spans = [("SPAN", (1, i), (5, i)) for i in range(2, len(rows), 2)]
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                *spans,
            ]
        )
    )
    story += [table, _p(gettext("附件"), heading)]
    attachments = list(case.attachments.select_related("event"))
    if attachments:
        attachment_rows = [[_p(h, body) for h in (gettext("文件"), gettext("大小"), "SHA-256")]]
        attachment_rows += [
            [_p(f.original_name, body), _p(f.size, body), _p(f.sha256, small)] for f in attachments
        ]
        story.append(Table(attachment_rows, colWidths=[50 * mm, 20 * mm, 108 * mm]))
    else:
        story.append(_p(gettext("无"), body))
    story.append(
        _p(
            gettext("档案链共 %(n)s 条记录,末条哈希:%(head)s")
            % {"n": case.archive_seq, "head": case.archive_head},
            small,
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=gettext("事件档案 %(code)s") % {"code": case.tracking_code},
    ).build(story)
    return buffer.getvalue()
