from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.parsing import ModelSerializer

# Who acted, and from where: the fields both logs open and close with.
_WHO = ["id", "at", "actor", "actor_name", "role"]
_FROM_WHERE = ["request_id", "client_ip", "channel"]


class _LogSerializer(ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True)


class AuditRecordSerializer(_LogSerializer):
    class Meta:
        model = AuditRecord
        fields = [
            *_WHO,
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region_code",
            "before",
            "after",
            "note",
            *_FROM_WHERE,
        ]
        read_only_fields = fields


class PersonalDataAccessSerializer(_LogSerializer):
    class Meta:
        model = PersonalDataAccess
        fields = [
            *_WHO,
            "subject_type",
            "subject_id",
            "subject_repr",
            "field",
            "reason",
            "granted",
            "region_code",
            *_FROM_WHERE,
        ]
        read_only_fields = fields
