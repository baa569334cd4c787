import pytest

from tests.ops.servers import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once for the real servers (production mode needs the manifest)."""
    return collect_static(tmp_path_factory.mktemp("static"))


def redis_answers(url="redis://127.0.0.1:6379/0") -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason="Redis is not running on 127.0.0.1:6379")
