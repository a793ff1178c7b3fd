from django.db import migrations


class Migration(migrations.Migration):
    """The free-form JSON is gone: its content lives on, protected, in InvolvedPerson (0008)."""

    dependencies = [
        ("cases", "0010_involved_from_json"),
    ]

    operations = [
        migrations.RemoveField(model_name="case", name="involved"),
    ]
