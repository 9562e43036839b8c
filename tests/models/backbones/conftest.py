import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build in MMPretrain's scope whatever scope earlier tests left as the default."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield
