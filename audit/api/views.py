"""The audit trail over REST, for auditors only, read-only (R28.1, R22.1).

There is no write, update or delete route: records are appended by services only.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from audit.api.serializers import AuditRecordSerializer, PersonalDataAccessSerializer
from audit.filters import AuditRecordFilter, PersonalDataAccessFilter
from audit.models import AuditRecord, PersonalDataAccess
from gridgov.access.api import ScopedReadOnlyViewSet


@extend_schema(tags=["audit"])
class AuditRecordViewSet(ScopedReadOnlyViewSet):
    """Who did what, when, from where, with the values before and after (R28.1).

    Filters: ``since``/``until`` (ISO date-time), ``since_date``/``until_date``, ``actor``,
    ``role``, ``action`` (prefix, e.g. ``people.worker``), ``object_type``, ``object_id``,
    ``region`` (code prefix), ``request_id``, ``channel``, ``q``.
    """

    queryset = AuditRecord.objects.all()
    serializer_class = AuditRecordSerializer
    filterset_class = AuditRecordFilter
    lookup_value_regex = "[0-9]+"


@extend_schema(tags=["audit"])
class PersonalDataAccessViewSet(ScopedReadOnlyViewSet):
    """Every reveal of an ID number or personal phone, and every refused attempt (R22.1)."""

    queryset = PersonalDataAccess.objects.all()
    serializer_class = PersonalDataAccessSerializer
    filterset_class = PersonalDataAccessFilter
    lookup_value_regex = "[0-9]+"
