"""The 14 kinds of linkage department listed in Art. 5 of the regulation (R5.1)."""

from django.db import migrations

ARTICLE_5_KINDS = [
    ("police", "公安"),
    ("civil_affairs", "民政"),
    ("justice", "司法行政"),
    ("human_resources", "人力资源社会保障"),
    ("ecology", "生态环境"),
    ("housing", "住房城乡建设"),
    ("agriculture", "农业农村"),
    ("culture_tourism", "文化广电旅游体育"),
    ("health", "卫生健康"),
    ("emergency", "应急管理"),
    ("urban_management", "城市管理综合执法"),
    ("petitions", "信访"),
    ("government_services", "政务服务数据管理"),
    ("fire_rescue", "消防救援"),
]


def seed(apps, schema_editor):
    DepartmentKind = apps.get_model("people", "DepartmentKind")
    for order, (code, name) in enumerate(ARTICLE_5_KINDS, start=1):
        DepartmentKind.objects.update_or_create(
            code=code, defaults={"name": name, "builtin": True, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    DepartmentKind = apps.get_model("people", "DepartmentKind")
    DepartmentKind.objects.filter(code__in=[c for c, _ in ARTICLE_5_KINDS], departments=None).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0002_organisations_roles_workers")]
    operations = [migrations.RunPython(seed, unseed)]
