"""The Curator group: everything curating needs (the catalogue, tags, suggestions, review moderation) and
nothing over users, groups or permissions. Curators also need `is_staff` to reach the admin.

Permissions are normally created after all migrations run; they are created here first so that the group
can be given them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curator"
ALL = ("add", "change", "delete", "view")
PERMISSIONS = {
    ("learning", "track"): ALL,
    ("learning", "stage"): ALL,
    ("learning", "step"): ALL,
    ("learning", "milestone"): ALL,
    ("learning", "topic"): ALL,
    ("learning", "resource"): ALL,
    ("learning", "resourcesuggestion"): ("change", "view"),
    ("learning", "reviewflag"): ("change", "view"),
    ("learning", "rating"): ("change", "view"),
    ("taggit", "tag"): ALL,
}


def create_group(apps, schema_editor):
    for label in {app_label for app_label, _ in PERMISSIONS}:
        config = apps.get_app_config(label)
        config.models_module = True  # create_permissions skips app configs without models; stubs have none
        create_permissions(config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=GROUP)
    codenames = [
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in PERMISSIONS.items()
        for action in actions
    ]
    permissions = [
        permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0006_curation"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
