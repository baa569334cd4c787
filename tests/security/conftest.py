import pytest
from django.test import Client

from tests.factories import ResourceFactory, TopicFactory, UserFactory

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }}{% csrf_token %}",
]


@pytest.fixture
def mallory(db):
    return UserFactory(username="mallory", email="mallory@example.com")


@pytest.fixture
def mallory_client(mallory):
    client = Client(raise_request_exception=False)
    client.force_login(mallory)
    return client


@pytest.fixture
def victim(db):
    return UserFactory(username="victim", email="victim@example.com")


@pytest.fixture
def topic(db):
    return TopicFactory(title="Caching", slug="caching")


@pytest.fixture
def resource(topic):
    return ResourceFactory(title="HTTP caching", topics=[topic])
