from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.parsing import ModelSerializer


class AuditRecordSerializer(ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "role",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region_code",
            "before",
            "after",
            "note",
            "request_id",
            "client_ip",
            "channel",
        ]
        read_only_fields = fields


class PersonalDataAccessSerializer(ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = PersonalDataAccess
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "role",
            "subject_type",
            "subject_id",
            "subject_repr",
            "field",
            "reason",
            "granted",
            "region_code",
            "request_id",
            "client_ip",
            "channel",
        ]
        read_only_fields = fields
