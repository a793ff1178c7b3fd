import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_provisional_deadlines"),
    ]

    operations = [
        migrations.CreateModel(
            name="InvolvedPerson",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="序号")),
                ("name", models.CharField(blank=True, max_length=64, verbose_name="姓名")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("party", "当事人"),
                            ("respondent", "被反映人"),
                            ("victim", "受害人"),
                            ("witness", "证人"),
                            ("guardian", "监护人/代理人"),
                            ("other", "其他"),
                        ],
                        default="party",
                        max_length=12,
                        verbose_name="身份",
                    ),
                ),
                ("phone_encrypted", models.TextField(blank=True, editable=False)),
                ("phone_digest", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "phone_masked",
                    models.CharField(
                        blank=True, editable=False, max_length=16, verbose_name="联系电话"
                    ),
                ),
                ("id_number_encrypted", models.TextField(blank=True, editable=False)),
                ("id_number_digest", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "id_number_masked",
                    models.CharField(
                        blank=True, editable=False, max_length=18, verbose_name="身份证号"
                    ),
                ),
                (
                    "note",
                    models.TextField(blank=True, editable=False, verbose_name="备注(已遮盖)"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="involved_persons",
                        to="cases.case",
                    ),
                ),
            ],
            options={
                "verbose_name": "涉及人员",
                "verbose_name_plural": "涉及人员",
                "ordering": ["case", "position", "id"],
            },
        ),
    ]
