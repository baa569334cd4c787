"""Curators write milestones' acceptance checklists and tracks' "What changed": the Curator group gets every
permission on ChecklistItem and TrackChange (0014 made them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curator"
CODENAMES = [
    f"{action}_{model}"
    for model in ("checklistitem", "trackchange")
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    config = apps.get_app_config("learning")
    config.models_module = True  # create_permissions skips app configs without models; stubs have none
    create_permissions(config, apps=apps, verbosity=0)
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is None:
        return
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="learning", codename__in=CODENAMES
    )
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        permissions = apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="learning", codename__in=CODENAMES
        )
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("learning", "0015_curriculum_2")]

    operations = [migrations.RunPython(grant, revoke)]
