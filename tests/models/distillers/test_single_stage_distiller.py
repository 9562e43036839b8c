"""SingleStageDistiller on tiny RetinaNet, ATSS, FCOS, GFL and RTMDet pairs (96 px, CPU)."""
import copy
import warnings

import pytest
import torch
from helpers import DENSE_FAMILIES, dense_distiller_model, dense_model
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.optim import OptimWrapper

register_all_modules()
pytestmark = pytest.mark.filterwarnings('ignore:SingleStageDistiller. teacher_ckpt is None')


def build(family='gfl', **options):
    torch.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # teacher_ckpt None: random teacher
        distiller = MODELS.build(dense_distiller_model(family, **options))
        distiller.init_weights()
    return distiller


def batch(model, seed=0, batch_size=2):
    torch.manual_seed(seed)
    packed = demo_mm_inputs(batch_size=batch_size, image_shapes=[(3, 96, 96)] * batch_size,
                            num_items=[3] * batch_size, num_classes=12)
    return model.data_preprocessor(packed, True)


def spy_loss(distiller):
    """Collects the (student, teacher, keywords) each distill_loss call gets."""
    fed = []
    original = distiller.distill_loss.forward
    distiller.distill_loss.forward = lambda s, t, **kw: fed.append((s, t, kw)) or original(
        s, t, **kw)
    return fed


def position_code(batch_index, level, y, x, anchor):
    return batch_index * 1e6 + level * 1e5 + y * 1e3 + x * 10 + anchor


def position_maps(outputs, priors):
    """Head outputs whose class maps hold, in every column of a prior, its position code."""
    maps = []
    for level, scores in enumerate(outputs[0]):
        b, channels, h, w = scores.shape
        grid = torch.meshgrid(torch.arange(b), torch.arange(h), torch.arange(w),
                              torch.arange(priors), indexing='ij')
        code = position_code(grid[0], level, grid[1], grid[2], grid[3]).float()  # B,H,W,A
        code = code.permute(0, 3, 1, 2).repeat_interleave(channels // priors, dim=1)
        maps.append(code)
    return (maps, *outputs[1:])


def with_position_maps(head):
    forward = head.forward
    priors = head.num_base_priors
    head.forward = lambda feats: position_maps(forward(feats), priors)


@pytest.mark.parametrize('family', sorted(DENSE_FAMILIES))
def test_rows_align_prior_by_prior_and_positives_are_the_assigners(family):
    distiller = build(family, samples=dict(mode='positives', center=False))  # raw codes
    with_position_maps(distiller.bbox_head)
    with_position_maps(distiller.teacher.bbox_head)
    labels = []
    get_targets = distiller.bbox_head.get_targets
    distiller.bbox_head.get_targets = lambda *a, **k: labels.append(get_targets(*a, **k)) or \
        labels[-1]
    fed = spy_loss(distiller)

    distiller(**batch(distiller), mode='loss')

    student, teacher, _ = fed[0]
    assert torch.equal(student, teacher)  # the same prior in every row of both
    # The positives of the assigner, decoded from its per-level labels independently.
    targets = labels[0]
    level_labels = targets[distiller.adapter.labels_index]
    priors = distiller.bbox_head.num_base_priors
    expected = []
    featmaps = [tuple(s.shape[-2:]) for s in _class_maps(distiller)]
    for image in range(2):
        for level, (h, w) in enumerate(featmaps):
            per_image = level_labels[level].reshape(2, -1)[image]
            for index in torch.nonzero((per_image >= 0) & (per_image < 12)).flatten().tolist():
                y, rest = divmod(index, w * priors)
                x, anchor = divmod(rest, priors)
                expected.append(position_code(image, level, y, x, anchor))
    assert len(expected) > 0
    assert student[:, 0].tolist() == expected  # image, level, y, x, anchor order
    assert not teacher.requires_grad


def _class_maps(distiller):
    data = batch(distiller)
    with torch.no_grad():
        return distiller.bbox_head(distiller.extract_feat(data['inputs']))[0]


@pytest.mark.parametrize('family', sorted(DENSE_FAMILIES))
def test_each_head_family_trains_and_the_teacher_stays_frozen(family):
    distiller = build(family)
    distiller.train()
    teacher_before = copy.deepcopy(distiller.teacher.state_dict())
    student_before = copy.deepcopy(distiller.state_dict())
    optim = OptimWrapper(torch.optim.SGD(distiller.parameters(), lr=0.01, momentum=0.9))
    for step in range(3):
        losses = distiller(**batch(distiller, seed=step), mode='loss')
        total, log = distiller.parse_losses(losses)
        assert torch.isfinite(total)
        assert 'loss_ckd' in log and log['loss_ckd'] > 0
        optim.update_params(total)
    assert not distiller.teacher.training
    assert all(torch.equal(v, distiller.teacher.state_dict()[k])
               for k, v in teacher_before.items())
    changed = [k for k, v in distiller.state_dict().items()
               if v.is_floating_point() and not torch.equal(v, student_before[k])]
    assert any(k.startswith('bbox_head.') for k in changed)
    assert not any(k.startswith('teacher') for k in distiller.state_dict())
    assert all(p is not t for p in distiller.parameters() for t in distiller.teacher.parameters())


@pytest.mark.parametrize('family', sorted(DENSE_FAMILIES))
def test_checkpoint_keys_load_strictly_into_the_plain_student(family):
    distiller = build(family)
    student = MODELS.build(dense_model(family))
    student.load_state_dict(distiller.state_dict(), strict=True)


def test_topk_selection_feeds_topk_rows_per_image_and_all_selects_every_prior():
    distiller = build('retinanet', samples=dict(mode='teacher_topk', topk=7))
    fed = spy_loss(distiller)
    distiller(**batch(distiller), mode='loss')
    assert fed[0][0].shape == (14, 12)
    distiller.samples.mode = 'all'
    distiller(**batch(distiller), mode='loss')
    priors = sum(m.shape[-1] * m.shape[-2] for m in _class_maps(distiller)) * 9
    assert fed[1][0].shape == (2 * priors, 12)


def test_centerness_is_an_extra_column_only_when_asked():
    raw = dict(mode='positives', center=False)
    fed = spy_loss(plain := build('fcos', samples=raw))
    plain(**batch(plain), mode='loss')
    with_centerness = build('fcos', distill_centerness=True, samples=raw)
    fed_centerness = spy_loss(with_centerness)
    with_centerness(**batch(with_centerness), mode='loss')
    assert fed[0][0].shape[1] == 12 and fed_centerness[0][0].shape[1] == 13
    assert torch.equal(fed_centerness[0][0][:, :12], fed[0][0])


def test_kd_baseline_and_weighted_rows_reach_the_loss():
    distiller = build('gfl', distill_loss=dict(type='SigmoidKDLoss', loss_weight=1.0),
                      samples=dict(mode='positives', weight='teacher_confidence',
                                   background_logit=0.0, center=False))
    fed = spy_loss(distiller)
    losses = distiller(**batch(distiller), mode='loss')
    student, teacher, keywords = fed[0]
    assert 'loss_sigmoid_kd' in losses and student.shape[1] == 13
    assert torch.all(student[:, 12] == 0) and torch.all(teacher[:, 12] == 0)
    expected = teacher[:, :12].max(dim=1).values.sigmoid()
    assert torch.allclose(keywords['weight'], expected)
    assert torch.allclose(keywords['avg_factor'], expected.sum())


def test_features_only_distiller_runs_no_teacher_head():
    distiller = build('gfl', distill_loss=None,
                      feature_distill=dict(connector=dict(type='ConvConnector'),
                                           loss=dict(type='HCLLoss')))
    calls = []
    distiller.teacher.bbox_head.register_forward_hook(lambda *args: calls.append(1))
    losses = distiller(**batch(distiller), mode='loss')
    assert 'loss_hcl' in losses and 'loss_ckd' not in losses and not calls


@pytest.mark.parametrize('change, message', [
    (dict(num_classes=11), 'num_classes'),
    (dict(anchor_generator=dict(type='AnchorGenerator', ratios=[1.0],
                                octave_base_scale=4, scales_per_octave=1,
                                strides=[8, 16, 32, 64, 128])), 'priors per location'),
    (dict(anchor_generator=dict(type='AnchorGenerator', ratios=[0.5, 1.0, 2.0],
                                octave_base_scale=4, scales_per_octave=3,
                                strides=[4, 8, 16, 32, 64])), 'strides'),
])
def test_a_teacher_whose_priors_do_not_correspond_is_refused(change, message):
    model = dense_distiller_model('retinanet')
    model['teacher_config']['bbox_head'].update(change)
    with pytest.raises(ValueError, match=message):
        MODELS.build(model)


def test_wrong_detector_kinds_and_options_are_refused():
    from helpers import STUDENT_CONFIG
    from mmengine.config import Config

    model = dense_distiller_model('gfl')
    two_stage = Config.fromfile(str(STUDENT_CONFIG)).model.to_dict()
    with pytest.raises(TypeError, match='single-stage teacher'):
        MODELS.build(dict(model, teacher_config=two_stage))
    with pytest.raises(TypeError, match='TwoStageDistiller'):
        MODELS.build(dict(two_stage, type='SingleStageDistiller',
                          teacher_config=model['teacher_config']))
    with pytest.raises(ValueError, match='no centerness branch'):
        MODELS.build(dict(model, distill_centerness=True))
    with pytest.raises(ValueError, match='samples: unknown keys'):
        MODELS.build(dict(model, samples=dict(mode='positives', top_k=3)))
    with pytest.raises(ValueError, match='samples.mode'):
        MODELS.build(dict(model, samples=dict(mode='negatives')))
    with pytest.raises(ValueError, match='distils nothing'):
        MODELS.build(dict(model, distill_loss=None))


def test_maps_that_do_not_line_up_at_a_step_name_the_level():
    distiller = build('gfl')
    forward = distiller.teacher.bbox_head.forward
    distiller.teacher.bbox_head.forward = lambda feats: (
        [level[..., :-1] for level in forward(feats)[0]], *forward(feats)[1:])
    with pytest.raises(ValueError, match='do not line up prior by prior'):
        distiller(**batch(distiller), mode='loss')


def test_a_head_of_no_supported_family_is_named():
    from mmdet.models.dense_heads import YOLOXHead

    from ckd_mmdet.models.distillers import adapter_for
    head = YOLOXHead(num_classes=12, in_channels=16, feat_channels=16)
    with pytest.raises(TypeError, match="cannot read the student's YOLOXHead: supported"):
        adapter_for(head, 'student')
