import pytest
from mmengine.registry import DefaultScope

import ckd_mmdet.classification  # noqa: F401  (registers the networks and data sets)


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build in MMPretrain's scope whatever scope earlier tests left as the default."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield
