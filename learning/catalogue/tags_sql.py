"""The tags of one tagged item (a topic, a resource) as a hand-written statement (plumbing.sql), for the
pages that read their item in one round trip (topic_sql, community.resource_sql)."""

from collections.abc import Callable

from taggit.models import Tag


def tags_of(content_type: str, item: str) -> tuple[str, Callable[[list[tuple]], tuple]]:
    """A statement and its parse for the tags, by name, of the item whose content type is the parameter
    named `content_type` and whose id `item` gives (a parameter or a subquery)."""
    # The names and the subquery are the callers' own, never a request's text.
    statement = (
        "SELECT g.id, g.name, g.slug FROM taggit_tag g JOIN taggit_taggeditem i ON i.tag_id = g.id"  # noqa: S608
        f" WHERE i.content_type_id = %({content_type})s AND i.object_id = {item} ORDER BY g.name, g.id"
    )
    return statement, tags_from


def tags_from(rows) -> tuple:
    return tuple(Tag(id=pk, name=name, slug=slug) for pk, name, slug in rows)
