import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories import UserFactory
from tests.ops.servers import collect_static

PASSWORD = "correct horse battery staple"
# A Redis database per pytest-xdist worker, so parallel workers never flush each other's counters.
WORKER_REDIS_URL = (
    f"redis://127.0.0.1:6379/{14 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0) % 8}"
)


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


def verified_learner(email):
    """A learner with a verified address who logs in with PASSWORD. The servers use the real password
    hashers, not the tests' fast MD5 one."""
    user = UserFactory(email=email)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "ops-salt")
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def ada():
    return verified_learner("ada@example.com")
