"""Search documents kept in the rows, on PostgreSQL only: each searchable table gets a stored generated column
`search_document`, the weighted full-text vector of 0005 (title A, summary B, body C, English), which
PostgreSQL computes when a row is written; its GIN index `<model>_search_gin` moves from the expression onto
the column. A search then matches and ranks by reading vectors rather than stemming every body it looks at
(learning.catalogue.search reads the column). The models don't declare the column: nothing else reads it,
and SQLite (which searches with LIKE) gets nothing here.
"""

from django.db import migrations

CONFIG = "english"
DOCUMENTS = {
    "track": ("title", "summary", "body"),
    "topic": ("title", "summary", "body"),
    "resource": ("title", "description", "author"),
}
COLUMN = "search_document"


def vector_sql(quote, fields) -> str:
    """The vector exactly as 0005's SearchVector expression (and so its index) spelled it."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({quote(field)}, '')), '{weight}')"
        for field, weight in zip(fields, "ABC", strict=True)
    )


def on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for model_name, fields in DOCUMENTS.items():
            table = quote(apps.get_model("learning", model_name)._meta.db_table)
            index = quote(f"{model_name}_search_gin")
            for statement in statements(table=table, index=index, vector=vector_sql(quote, fields)):
                schema_editor.execute(statement)

    return operation


keep_documents = on_postgresql(
    lambda table, index, vector: [
        f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS ({vector}) STORED",
        f"DROP INDEX IF EXISTS {index}",
        f"CREATE INDEX {index} ON {table} USING gin ({COLUMN})",
    ]
)
compute_documents = on_postgresql(
    lambda table, index, vector: [
        f"DROP INDEX IF EXISTS {index}",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}",
        f"CREATE INDEX {index} ON {table} USING gin (({vector}))",
    ]
)


class Migration(migrations.Migration):
    dependencies = [("learning", "0011_stacks")]

    operations = [migrations.RunPython(keep_documents, compute_documents)]
