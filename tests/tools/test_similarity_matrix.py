"""ckd_mmdet.similarity and tools/similarity_matrix.py: the rows of one distillation step, the
own row's rank by hand, the figure, and the tool on the tiny pair as a user runs it."""
import re
import subprocess
import sys

import pytest
import torch
from helpers import (DISTILL_CONFIG, REPO, STUDENT_CONFIG, dense_distiller_model,
                     detr_distiller_model)
from helpers import run_python as run
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.config import Config

from ckd_mmdet.runs import data_root_options
from ckd_mmdet.similarity import draw, own_ranks, similarity, step_rows

register_all_modules()
TOOL = REPO / 'tools' / 'similarity_matrix.py'


def test_own_ranks_and_the_figure_by_hand(tmp_path):
    teacher = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    student = torch.tensor([[1.0, 0.1], [1.0, 0.0], [0.0, 1.0]])
    matrix = similarity(student, teacher)
    torch.testing.assert_close(matrix[0, 1], torch.tensor(1.0))
    # teacher row 0: its own 0.995 is below student row 1's 1.0; row 1: its own 0.0 below rows
    # 0 (0.0995) and 2 (1.0); row 2: its own 0.707 below row 0's 0.774, tied with row 1's
    assert own_ranks(matrix).tolist() == [2, 3, 2]
    assert own_ranks(torch.eye(3)).tolist() == [1, 1, 1]
    out = tmp_path / 'm.png'
    summary = draw(matrix, torch.tensor([1, 0, 2]), 2, str(out))  # 2: background, drawn last
    assert summary == dict(rows=3, top1=0.0, median_rank=2.0)
    assert out.read_bytes()[:4] == b'\x89PNG'


def test_step_rows_are_the_sampled_rois_with_their_labels(teacher_ckpt):
    model = Config.fromfile(str(DISTILL_CONFIG)).model
    model.teacher_ckpt = str(teacher_ckpt)
    distiller = MODELS.build(model)
    distiller.init_weights()
    torch.manual_seed(0)
    packed = demo_mm_inputs(batch_size=2, image_shapes=(3, 96, 96), num_items=[3, 3],
                            num_classes=12)
    student, teacher, labels = step_rows(distiller, distiller.data_preprocessor(packed, True))
    assert student.shape == teacher.shape == (64, 13) and not student.requires_grad
    assert labels.shape == (64,) and int(labels.max()) <= 12 and (labels == 12).any()


@pytest.mark.parametrize('model', [dense_distiller_model('retinanet'), detr_distiller_model()],
                         ids=['dense positives', 'DETR matched queries'])
@pytest.mark.filterwarnings('ignore:\\w+Distiller. teacher_ckpt is None')
def test_step_rows_are_the_positives_with_their_classes(model):
    torch.manual_seed(0)
    distiller = MODELS.build(model)
    distiller.init_weights()
    packed = demo_mm_inputs(batch_size=2, image_shapes=(3, 96, 96), num_items=[3, 2],
                            num_classes=12)
    data = distiller.data_preprocessor(packed, True)
    student, teacher, labels = step_rows(distiller, data)
    assert student.shape == teacher.shape and student.shape[1] == 12
    assert labels.shape == (len(student),) and int(labels.max()) < 12
    truth = torch.cat([sample.gt_instances.labels for sample in data['data_samples']])
    if 'DINO' in model['type']:  # one matched query per object
        assert sorted(labels.tolist()) == sorted(truth.tolist())
    else:  # every positive anchor is one of the objects' classes
        assert set(labels.tolist()) <= set(truth.tolist())


@pytest.mark.slow  # the tool in a subprocess
def test_the_tool_on_the_tiny_pair(tmp_path, shapes_root, teacher_ckpt):
    out = tmp_path / 'similarity.png'
    printed = run(TOOL, DISTILL_CONFIG, '--images', '2', '--out', out, '--cfg-options',
                  f'model.teacher_ckpt={teacher_ckpt}', *data_root_options(shapes_root))
    assert re.search(r'64 rows; own student row most similar for \d+\.\d % of the teacher '
                     r'rows; median rank \d+', printed), printed[-2000:]
    assert out.read_bytes()[:4] == b'\x89PNG'


@pytest.mark.parametrize('arguments, message', [
    (['--images', '0'], '--images must be at least 1'),
    ([str(DISTILL_CONFIG), 'missing.pth'], 'checkpoint file not found: missing.pth'),
    ([str(STUDENT_CONFIG)], 'model.teacher_config is not set'),
])
def test_bad_input_is_named(tmp_path, arguments, message):
    if arguments[0].startswith('--'):
        arguments = [str(DISTILL_CONFIG), *arguments]
    done = subprocess.run([sys.executable, str(TOOL), *arguments, '--out',
                           str(tmp_path / 'x.png')], capture_output=True, text=True)
    assert done.returncode != 0 and message in done.stderr, done.stderr[-2000:]
    assert 'Traceback' not in done.stderr
