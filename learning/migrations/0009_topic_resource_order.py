"""Resource.topics goes through TopicResource: a place in the topic's curated order and a Start here.

The plain many-to-many's table (`learning_resource_topics`) and its rows stay: the model is declared over
that table in the state only, then gains its columns and constraints. Existing links are numbered per topic
in the order the ranking used to break ties (official docs first, beginner up, then title).
"""

from django.db import migrations, models
import django.core.validators
import django.db.models.deletion

KIND_ORDER = ["docs", "course", "interactive", "book", "video", "article", "tool", "repo", "podcast"]
LEVEL_ORDER = ["beginner", "intermediate", "advanced"]


def _rank(order, value):
    return order.index(value) if value in order else len(order)


def number_links(apps, schema_editor):
    """Gives the links of each topic positions 0, 1, 2… (all are 0 when this runs)."""
    TopicResource = apps.get_model("learning", "TopicResource")
    by_topic = {}
    for link in TopicResource.objects.select_related("resource"):
        by_topic.setdefault(link.topic_id, []).append(link)
    changed = []
    for links in by_topic.values():
        links.sort(
            key=lambda link: (
                _rank(KIND_ORDER, link.resource.kind),
                _rank(LEVEL_ORDER, link.resource.level),
                link.resource.title,
                link.resource_id,
            )
        )
        for position, link in enumerate(links):
            link.position = position
            changed.append(link)
    TopicResource.objects.bulk_update(changed, ["position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0008_rating_counted_stars"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TopicResource",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "resource",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="topic_links",
                                to="learning.resource",
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="resource_links",
                                to="learning.topic",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "learning_resource_topics",
                        "unique_together": {("resource", "topic")},
                    },
                ),
                migrations.AlterField(
                    model_name="resource",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True, related_name="resources", through="learning.TopicResource", to="learning.topic"
                    ),
                ),
            ],
        ),
        migrations.AlterModelOptions(
            name="topicresource",
            options={
                "ordering": ["topic", "position"],
                "verbose_name": "resource of a topic",
                "verbose_name_plural": "resources of topics",
            },
        ),
        migrations.AddField(
            model_name="topicresource",
            name="position",
            field=models.PositiveIntegerField(
                blank=True,
                default=0,
                help_text="The curator's order within the topic, 0 first. Left blank, the resource goes last.",
                validators=[django.core.validators.MaxValueValidator(999999)],
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="topicresource",
            name="is_start_here",
            field=models.BooleanField(
                default=False,
                help_text="The first resource to open on this topic; one per topic.",
                verbose_name="start here",
            ),
        ),
        migrations.RunPython(number_links, migrations.RunPython.noop),
        migrations.AlterUniqueTogether(name="topicresource", unique_together=set()),
        migrations.AddConstraint(
            model_name="topicresource",
            constraint=models.UniqueConstraint(fields=("topic", "resource"), name="topicresource_once_per_topic"),
        ),
        migrations.AddConstraint(
            model_name="topicresource",
            constraint=models.UniqueConstraint(fields=("topic", "position"), name="topicresource_unique_position"),
        ),
        migrations.AddConstraint(
            model_name="topicresource",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_start_here", True)), fields=("topic",), name="topicresource_one_start_here"
            ),
        ),
    ]
