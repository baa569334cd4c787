import pytest

from tests.ops.servers import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once for the real servers (production mode needs the manifest)."""
    return collect_static(tmp_path_factory.mktemp("static"))
