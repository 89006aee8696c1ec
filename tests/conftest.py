import pytest
import tensix as tt


@pytest.fixture(scope="module")
def dev():
    d = tt.Device("e150", hang_seconds=2, echo=False)
    yield d
    d.close()
