"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per command.

Django's RedisCacheClient.get_client() builds a new `redis.Redis` for every cache call. The connection pool
is shared, so no connection is opened, but redis-py's constructor fills a table of about 170 response
callbacks each time: profiled on a cached page, building clients cost more than the Redis round trip itself.
A client is safe to share between calls (and threads); Django keeps one cache object per thread anyway.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # private, not in django-stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientCacheClient
