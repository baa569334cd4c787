import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def verified_user(db):
    """A learner with a confirmed primary address who can log in with PASSWORD."""
    user = UserFactory(username="learner-0badf00d", email="ada@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def logged_in_client(client, verified_user):
    client.force_login(verified_user)
    return client


@pytest.fixture
def github_app(settings):
    """GitHub login configured the way settings.py does it when GITHUB_CLIENT_ID/SECRET are set."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {
            "APP": {"client_id": "gh-client-id", "secret": "gh-client-secret", "key": ""},
            "SCOPE": ["user:email"],
        }
    }
