"""Resources and tracks carry a stack (Python, Node.js, Java, Go, .NET, Ruby, PHP, or "" for none): a topic
page lists the resources of its track's stack first. Every existing row starts stack-independent; the
content files (and curators) set the stacks."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0010_curator_topic_resources'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='resource',
            name='stack',
            field=models.CharField(blank=True, choices=[('', 'Stack-independent'), ('python', 'Python'), ('node', 'Node.js'), ('java', 'Java'), ('go', 'Go'), ('dotnet', '.NET'), ('ruby', 'Ruby'), ('php', 'PHP')], default='', help_text="The stack it is specific to (Django's docs: Python); blank when every stack can use it (HTTP, SQL).", max_length=10),
        ),
        migrations.AddField(
            model_name='track',
            name='stack',
            field=models.CharField(blank=True, choices=[('', 'Stack-independent'), ('python', 'Python'), ('node', 'Node.js'), ('java', 'Java'), ('go', 'Go'), ('dotnet', '.NET'), ('ruby', 'Ruby'), ('php', 'PHP')], default='', help_text="The stack this track teaches: its topics list that stack's resources first. Blank: a general track.", max_length=10),
        ),
        migrations.AddConstraint(
            model_name='resource',
            constraint=models.CheckConstraint(condition=models.Q(('stack__in', ['', 'python', 'node', 'java', 'go', 'dotnet', 'ruby', 'php'])), name='resource_stack_valid'),
        ),
        migrations.AddConstraint(
            model_name='track',
            constraint=models.CheckConstraint(condition=models.Q(('stack__in', ['', 'python', 'node', 'java', 'go', 'dotnet', 'ruby', 'php'])), name='track_stack_valid'),
        ),
    ]
