"""The bridges as a whole: one module each, applied by import ckd_mmdet, documented."""
import re
from pathlib import Path

from ckd_mmdet.bridges import BRIDGES


def test_docs_list_exactly_the_bridges_the_code_has():
    page = (Path(__file__).parents[2] / 'docs' / 'compatibility.md').read_text()
    listed = re.findall(r'^\| `(\w+)` \|', page, re.MULTILINE)
    assert listed == [bridge.__name__.rsplit('.', 1)[1] for bridge in BRIDGES]
    for bridge in BRIDGES:
        assert callable(bridge.apply) and len(bridge.__doc__.strip().splitlines()) > 3
