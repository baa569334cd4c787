"""The search's GIN indexes without a pending list, on PostgreSQL only.

By default (fastupdate) a GIN index files new rows in a pending list that every scan reads row by row, until
a VACUUM or 4 MB of them merge it into the index. The catalogue is written rarely and in small amounts, so
autovacuum's insert threshold may never come and the list never empties: measured at scale 1 (seed_demo),
all 5,000 resources sat in it, and matching "python" took 3.1 ms in the index instead of a fraction of a
millisecond. Without fastupdate, each write updates the index at once (a curator's save costs a little
more); this migration also merges what the lists hold now. SQLite has no such index.
"""

from django.db import migrations

INDEXES = [
    f"{model}_{kind}" for model in ("track", "topic", "resource") for kind in ("search_gin", "title_trgm")
]


def fastupdate(value: str):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in INDEXES:
            index = schema_editor.quote_name(name)
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")
            if value == "off":
                schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])

    return operation


class Migration(migrations.Migration):
    dependencies = [("learning", "0012_search_documents")]

    operations = [migrations.RunPython(fastupdate("off"), fastupdate("on"))]
