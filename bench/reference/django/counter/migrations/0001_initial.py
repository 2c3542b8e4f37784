from django.db import migrations, models


def create_root(apps, schema_editor):
    apps.get_model("counter", "PageView").objects.get_or_create(path="/")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="PageView",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=2048, unique=True)),
                ("views", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "page_views"},
        ),
        # The one counted page's row, so that the view only ever updates.
        migrations.RunPython(create_root, migrations.RunPython.noop),
    ]
