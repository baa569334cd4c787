"""Querysets whose bulk writes move the cache tokens (plumbing.cache_tokens) of the rows they touch.

A save or delete of one row sends Django's signals, and the app's receivers move the tokens then. A queryset's
`update()`, `bulk_create()` and `bulk_update()` send no signal, so these querysets move the tokens
themselves: no caller has to remember to. (`delete()` needs nothing: while receivers are connected, Django
deletes row by row and sends the signals.) A test checks that every model of the app uses one of them.
"""

from collections.abc import Iterable

from django.db import models

from plumbing import cache_tokens


class CuratedQuerySet(models.QuerySet):
    """Curated rows, which every visitor page may show: bulk writes move the catalogue token."""

    def _moved(self, result):
        cache_tokens.bump(cache_tokens.CATALOGUE)
        return result

    def update(self, **kwargs):
        return self._moved(super().update(**kwargs))

    def bulk_create(self, objs, *args, **kwargs):
        return self._moved(super().bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, fields, *args, **kwargs):
        return self._moved(super().bulk_update(objs, fields, *args, **kwargs))


class OwnedQuerySet(models.QuerySet):
    """Rows owned by one learner (a `user` foreign key): bulk writes move each owner's token, and the stats
    token too when the model says its rows show to visitors (`shows_to_visitors = True`)."""

    def _tokens(self, user_ids: Iterable) -> list[str]:
        names = [cache_tokens.learner(user_id) for user_id in set(user_ids)]
        if names and getattr(self.model, "shows_to_visitors", False):
            names.append(cache_tokens.STATS)
        return names

    def update(self, **kwargs):
        owners = list(self.order_by().values_list("user_id", flat=True).distinct())
        count = super().update(**kwargs)
        if count:
            cache_tokens.bump(*self._tokens(owners))
        return count

    def update_of(self, user, **kwargs):
        """update() of these rows that belong to `user` only: the owner is known, so no query finds it."""
        count = models.QuerySet.update(self.filter(user=user), **kwargs)
        if count:
            cache_tokens.bump(*self._tokens([user.pk]))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        # Every owned model has a `user` foreign key, which the generic model type can't tell.
        cache_tokens.bump(*self._tokens(obj.user_id for obj in created))  # type: ignore[attr-defined]
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        cache_tokens.bump(*self._tokens(obj.user_id for obj in objs))
        return count
