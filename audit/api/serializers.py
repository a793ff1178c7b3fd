from __future__ import annotations

from django.db import models
from rest_framework import serializers

from audit.models import AuditRecord, PersonalDataAccess
from gridgov.parsing import ModelSerializer


# A log row as stored: every column, read-only, the actor as its id (R28.1, R22.1). A comment,
# not a docstring: the schema would take a docstring as the description of both answers.
class _LogSerializer(ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True)


def _columns(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.fields]


class AuditRecordSerializer(_LogSerializer):
    class Meta:
        model = AuditRecord
        fields = read_only_fields = _columns(AuditRecord)


class PersonalDataAccessSerializer(_LogSerializer):
    class Meta:
        model = PersonalDataAccess
        fields = read_only_fields = _columns(PersonalDataAccess)
