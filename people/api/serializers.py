"""What the people API shows and accepts. Personal data is always masked here (R22.1);
the clear value comes only from the reveal action."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.api import ScopedPrimaryKeyField
from gridgov.parsing import INT32_MAX, IntegerField, ModelSerializer
from people.models import (
    ApiToken,
    CommitteeKind,
    CommitteeMember,
    CommitteePosition,
    Department,
    DepartmentKind,
    Employment,
    EmploymentMethod,
    EquipmentIssue,
    EquipmentItem,
    ExitReason,
    Gender,
    GridAgency,
    GridAssignment,
    GridWorker,
    RoleAssignment,
    Training,
    User,
    VillageCommittee,
    WorkerKind,
)
from regions.models import Region


class RegionBriefSerializer(ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]


class DepartmentRefSerializer(ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "kind"]


# --- organisations ------------------------------------------------------------------------


class GridAgencySerializer(ModelSerializer):
    region = RegionBriefSerializer(read_only=True)

    class Meta:
        model = GridAgency
        fields = [
            "id",
            "name",
            "level",
            "region",
            "address",
            "office_phone",
            "supervision_phone",
            "is_active",
            "created_at",
            "updated_at",
        ]


class GridAgencyCreateSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="region code of a city, county or township")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    supervision_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)


class GridAgencyUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    supervision_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    is_active = serializers.BooleanField(required=False)


class DepartmentKindSerializer(ModelSerializer):
    class Meta:
        model = DepartmentKind
        fields = ["id", "code", "name", "builtin", "sort_order", "is_active"]
        read_only_fields = ["builtin"]


class DepartmentKindUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=50)
    sort_order = IntegerField(required=False, min_value=0, max_value=INT32_MAX)
    is_active = serializers.BooleanField(required=False)


class DepartmentSerializer(ModelSerializer):
    region = RegionBriefSerializer(read_only=True)
    kind = DepartmentKindSerializer(read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "kind",
            "level",
            "region",
            "office_phone",
            "address",
            "is_active",
            "created_at",
            "updated_at",
        ]


class DepartmentCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="department kind code (police, urban_management …)")
    region = serializers.CharField(help_text="region code of a city, county or township")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DepartmentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_active = serializers.BooleanField(required=False)


class CommitteeMemberSerializer(ModelSerializer):
    committee = serializers.PrimaryKeyRelatedField(read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "committee",
            "name",
            "position",
            "is_party_member",
            "work_phone",
            "started_on",
            "ended_on",
            "is_current",
        ]

    def get_is_current(self, obj: CommitteeMember) -> bool:
        return obj.ended_on is None


class CommitteeMemberCreateSerializer(serializers.Serializer):
    committee = ScopedPrimaryKeyField(queryset=VillageCommittee.objects.all())
    name = serializers.CharField(max_length=64)
    position = serializers.ChoiceField(choices=CommitteePosition.choices)
    is_party_member = serializers.BooleanField(required=False, default=False)
    work_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    started_on = serializers.DateField(required=False)


class EndDateSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False)


class VillageCommitteeSerializer(ModelSerializer):
    region = RegionBriefSerializer(read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = VillageCommittee
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "office_phone",
            "address",
            "is_active",
            "members",
        ]

    @extend_schema_field(CommitteeMemberSerializer(many=True))
    def get_members(self, obj: VillageCommittee) -> list[dict[str, Any]]:
        current = [m for m in obj.members.all() if m.ended_on is None]
        return CommitteeMemberSerializer(current, many=True).data


class VillageCommitteeCreateSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="12-digit village/community code")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    kind = serializers.ChoiceField(choices=CommitteeKind.choices, required=False)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VillageCommitteeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    kind = serializers.ChoiceField(choices=CommitteeKind.choices, required=False)
    office_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_active = serializers.BooleanField(required=False)


# --- grid workers -------------------------------------------------------------------------


class AssignmentBriefSerializer(ModelSerializer):
    class Meta:
        model = GridAssignment
        fields = ["id", "grid_code", "kind", "started_on", "ended_on"]


class GridWorkerSerializer(ModelSerializer):
    """A worker as staff see them: personal data masked (R22.1)."""

    village = RegionBriefSerializer(read_only=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    agency = serializers.PrimaryKeyRelatedField(read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    personal_phone = serializers.CharField(source="personal_phone_masked", read_only=True)
    grids = serializers.SerializerMethodField()
    username = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = GridWorker
        fields = [
            "id",
            "name",
            "gender",
            "kind",
            "status",
            "is_party_member",
            "village",
            "agency",
            "department",
            "region_code",
            "work_phone",
            "id_number",
            "personal_phone",
            "grids",
            "username",
            "note",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(AssignmentBriefSerializer(many=True))
    def get_grids(self, obj: GridWorker) -> list[dict[str, Any]]:
        active = [a for a in obj.assignments.all() if a.ended_on is None]
        return AssignmentBriefSerializer(active, many=True).data


class GridWorkerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=WorkerKind.choices)
    id_number = serializers.CharField(max_length=32, help_text="18-character resident ID")
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="12-digit village/community code"
    )
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    agency = ScopedPrimaryKeyField(
        queryset=GridAgency.objects.all(), required=False, allow_null=True
    )
    is_party_member = serializers.BooleanField(required=False, default=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    work_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    personal_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    note = serializers.CharField(required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=EmploymentMethod.choices, required=False)
    started_on = serializers.DateField(required=False)
    document = serializers.CharField(required=False, allow_blank=True, max_length=100)


class GridWorkerUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=64)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    is_party_member = serializers.BooleanField(required=False)
    village = serializers.CharField(required=False, allow_blank=True)
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    agency = ScopedPrimaryKeyField(
        queryset=GridAgency.objects.all(), required=False, allow_null=True
    )
    work_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    id_number = serializers.CharField(required=False, max_length=32)
    personal_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    note = serializers.CharField(required=False, allow_blank=True)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "personal_phone"])
    reason = serializers.CharField(help_text="why the full value is needed (logged, R22.1)")


class RevealResultSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ExitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ExitReason.choices)
    ended_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class RehireSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=EmploymentMethod.choices)
    started_on = serializers.DateField(required=False)
    document = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ChangeKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WorkerKind.choices)
    reason = serializers.CharField()
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class GridAssignmentSerializer(ModelSerializer):
    worker = serializers.PrimaryKeyRelatedField(read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = GridAssignment
        fields = [
            "id",
            "worker",
            "worker_name",
            "grid_code",
            "kind",
            "started_on",
            "ended_on",
            "end_reason",
            "is_active",
        ]


class GridAssignmentCreateSerializer(serializers.Serializer):
    worker = ScopedPrimaryKeyField(queryset=GridWorker.objects.all())
    grid_code = serializers.CharField(max_length=15)
    started_on = serializers.DateField(required=False)
    replace_leader = serializers.BooleanField(
        required=False, default=False, help_text="end the sitting leader's assignment (接任)"
    )


class AssignToGridSerializer(serializers.Serializer):
    grid_code = serializers.CharField(max_length=15)
    started_on = serializers.DateField(required=False)
    replace_leader = serializers.BooleanField(required=False, default=False)


class EndAssignmentSerializer(serializers.Serializer):
    reason = serializers.CharField()
    ended_on = serializers.DateField(required=False)


class EmploymentSerializer(ModelSerializer):
    class Meta:
        model = Employment
        fields = [
            "id",
            "worker",
            "method",
            "started_on",
            "document",
            "ended_on",
            "exit_reason",
            "exit_note",
        ]


class TrainingSerializer(ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "worker",
            "worker_name",
            "course",
            "organiser",
            "held_on",
            "hours",
            "certificate",
        ]


class TrainingCreateSerializer(serializers.Serializer):
    workers = ScopedPrimaryKeyField(queryset=GridWorker.objects.all(), many=True)
    course = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    organiser = serializers.CharField(required=False, allow_blank=True, max_length=100)
    certificate = serializers.CharField(required=False, allow_blank=True, max_length=100)


class EquipmentIssueSerializer(ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = EquipmentIssue
        fields = [
            "id",
            "worker",
            "worker_name",
            "item",
            "description",
            "serial",
            "issued_on",
            "returned_on",
        ]


class EquipmentIssueCreateSerializer(serializers.Serializer):
    worker = ScopedPrimaryKeyField(queryset=GridWorker.objects.all())
    item = serializers.ChoiceField(choices=EquipmentItem.choices)
    serial = serializers.CharField(required=False, allow_blank=True, max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    issued_on = serializers.DateField(required=False)


class ReturnEquipmentSerializer(serializers.Serializer):
    returned_on = serializers.DateField(required=False)


# --- accounts and roles -------------------------------------------------------------------


class GrantSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_name = serializers.CharField()
    code = serializers.CharField(help_text="region or grid code the role covers")
    region_name = serializers.CharField(allow_blank=True)
    department = IntegerField(allow_null=True)
    department_name = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=["role", "grid"])


def grants_data(user: User) -> list[dict[str, Any]]:
    grants = scoping.user_roles(user)
    codes = {g.code for g in grants if g.code and len(g.code) <= 12}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    departments = dict(
        Department.objects.filter(pk__in={g.department_id for g in grants if g.department_id})
        .values_list("pk", "name")
    )  # fmt: skip
    return [
        {
            "role": g.role,
            "role_name": R.label(g.role),
            "code": g.code,
            "region_name": names.get(g.code, ""),
            "department": g.department_id,
            "department_name": departments.get(g.department_id, "") if g.department_id else "",
            "source": g.source,
        }
        for g in grants
    ]


class MeSerializer(serializers.Serializer):
    id = IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    is_superuser = serializers.BooleanField()
    roles = GrantSerializer(many=True)
    jurisdictions = serializers.ListField(child=serializers.CharField())
    workers = GridWorkerSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    label = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="device name"
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    username = serializers.CharField()


class ApiTokenSerializer(ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "label", "created_at", "expires_at", "last_used_at"]


class RoleAssignmentSerializer(ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    region = RegionBriefSerializer(read_only=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    role_name = serializers.CharField(source="get_role_display", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "user",
            "role",
            "role_name",
            "region",
            "department",
            "valid_from",
            "valid_to",
            "is_active",
            "note",
        ]


class RoleAssignmentCreateSerializer(serializers.Serializer):
    user = ScopedPrimaryKeyField(queryset=User.objects.all(), required=False)
    username = serializers.CharField(required=False, help_text="alternative to user id")
    role = serializers.ChoiceField(choices=R.GRANTED_ROLE_CHOICES)
    region = serializers.CharField(required=False, allow_blank=True)
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AccountSerializer(ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "is_active", "last_login", "roles"]

    @extend_schema_field(GrantSerializer(many=True))
    def get_roles(self, obj: User) -> list[dict[str, Any]]:
        return grants_data(obj)


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="generated if blank"
    )
    role = serializers.ChoiceField(choices=R.GRANTED_ROLE_CHOICES)
    region = serializers.CharField(required=False, allow_blank=True)
    department = ScopedPrimaryKeyField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class AccountCreatedSerializer(AccountSerializer):
    generated_password = serializers.CharField(allow_null=True, read_only=True)

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "generated_password"]


class SetPasswordSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False)
    old_password = serializers.CharField(required=False, trim_whitespace=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class VacantGridSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    village = RegionBriefSerializer()
    workers = IntegerField(help_text="active assignments of any kind")
    has_leader = serializers.BooleanField()
    previous_workers = serializers.ListField(
        child=serializers.CharField(), help_text="workers of the grids this one replaced"
    )
