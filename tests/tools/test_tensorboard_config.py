"""The TensorBoard config of the demo pair: one training iteration writes the losses and the
distillers' scalars as TensorBoard events (skipped, saying so, without tensorboard)."""
import pytest
from helpers import REPO
from helpers import run_python as run

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools/train.py in a subprocess

CONFIG = REPO / 'configs' / 'demo' / 'ckd_faster-rcnn_r34-r18-narrow_shapes_tensorboard.py'


def test_one_iteration_writes_the_scalars_as_tensorboard_events(tmp_path, shapes_root):
    pytest.importorskip('tensorboard', reason='tensorboard is not installed: pip install -e '
                        '.[tensorboard] to run the TensorBoard config')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run(REPO / 'tools' / 'train.py', CONFIG, '--work-dir', tmp_path, '--cfg-options',
        'model.teacher_ckpt=None', 'train_cfg.max_iters=1', 'train_cfg.val_interval=100',
        'default_hooks.logger.interval=1',
        'param_scheduler.0.end=1', 'param_scheduler.1.begin=1', 'param_scheduler.1.end=2',
        *data_root_options(shapes_root))
    events = list(tmp_path.glob('*/vis_data/events.out.tfevents.*'))
    assert len(events) == 1, events
    accumulator = EventAccumulator(str(events[0].parent)).Reload()
    tags = set(accumulator.Tags()['scalars'])
    assert {'loss_ckd', 'teacher_acc', 'ckd_top1', 'distill_rows'} <= tags, sorted(tags)
    assert accumulator.Scalars('distill_rows')[0].value > 0
