"""Search indexes, on PostgreSQL only: pg_trgm, and per searchable model a GIN index on its weighted
full-text vector and a trigram GIN index on its title. SQLite gets nothing here (it searches with LIKE).

The vector expressions must stay the same as learning.search.Document.vector(), or PostgreSQL cannot use
the index; tests/learning/test_search.py checks with EXPLAIN that it does. (0011 keeps the vector in a stored
column instead, and moves the `<model>_search_gin` index onto it.)
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"
DOCUMENTS = {
    "track": ("title", "summary", "body"),
    "topic": ("title", "summary", "body"),
    "resource": ("title", "description", "author"),
}


def indexes(model_name, fields):
    title, summary, body = fields
    vector = (
        SearchVector(title, weight="A", config=CONFIG)
        + SearchVector(summary, weight="B", config=CONFIG)
        + SearchVector(body, weight="C", config=CONFIG)
    )
    return [
        GinIndex(vector, name=f"{model_name}_search_gin"),
        GinIndex(OpClass(title, name="gin_trgm_ops"), name=f"{model_name}_title_trgm"),
    ]


def on_postgresql(apply):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in DOCUMENTS.items():
            model = apps.get_model("learning", model_name)
            for index in indexes(model_name, fields):
                apply(schema_editor, model, index)

    return operation


add_indexes = on_postgresql(lambda schema_editor, model, index: schema_editor.add_index(model, index))
remove_indexes = on_postgresql(lambda schema_editor, model, index: schema_editor.remove_index(model, index))


class Migration(migrations.Migration):
    dependencies = [("learning", "0004_track_follow")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
