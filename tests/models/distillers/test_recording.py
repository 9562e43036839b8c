"""recording(): what the student computed, read instead of computed twice."""
from torch import nn

from ckd_mmdet.models.distillers.recording import recording


class Doubler(nn.Module):

    def double(self, value, offset=0):
        return 2 * value + offset


def test_records_the_last_call_and_every_call_then_restores_the_instance():
    module = Doubler()
    with recording(module, 'double') as record:
        assert record == {'calls': []}  # nothing called yet
        module.double(1)
        module.double(3, offset=1)
    assert record['value'] == 3 and record['offset'] == 1 and record['result'] == 7
    assert [(c['value'], c['result']) for c in record['calls']] == [(1, 2), (3, 7)]
    assert 'double' not in vars(module) and module.double(2) == 4


def test_a_users_own_patch_is_put_back():
    module = Doubler()
    module.double = lambda value, offset=0: -value  # a patch set on the instance
    with recording(module, 'double') as record:
        assert module.double(5) == -5
    assert record['result'] == -5 and module.double(1) == -1


def test_recordings_nest_and_both_see_the_arguments_by_name():
    module = Doubler()
    with recording(module, 'double') as outer:
        with recording(module, 'double') as inner:
            module.double(2, offset=1)
    assert inner['value'] == outer['value'] == 2 and inner['result'] == outer['result'] == 5
    assert 'double' not in vars(module)
