"""Feature distillation in the TwoStageDistiller (ReviewKD connector + HCL, PKD) on the tiny
R-34 -> R-18 pair: one teacher forward, what trains, what is saved, the build-time errors."""
import pytest
import torch
from helpers import TEACHER_CONFIG
from mmdet.registry import MODELS
from mmengine.config import Config
from test_two_stage_distiller import batch, build

REVIEW = dict(connector=dict(type='ReviewKDConnector', mid_channels=16),
              loss=dict(type='HCLLoss', loss_weight=1.2))


def teacher_with(**neck):
    teacher = Config.fromfile(str(TEACHER_CONFIG)).model
    teacher.neck.update(neck)
    channels = teacher.neck.out_channels
    teacher.rpn_head.update(in_channels=channels, feat_channels=channels)
    teacher.roi_head.bbox_roi_extractor.out_channels = channels
    teacher.roi_head.bbox_head.in_channels = channels
    return teacher


def counting(module, name):
    calls = []
    method = getattr(module, name)
    setattr(module, name, lambda *a, **k: calls.append(1) or method(*a, **k))
    return calls


def test_review_ckd_one_teacher_forward_both_losses(teacher_ckpt):
    distiller = build(teacher_ckpt, feature_distill=REVIEW)
    teacher_passes = counting(distiller.teacher, 'extract_feat')
    seen = {}
    hcl = distiller.feature_distill.loss
    hcl.register_forward_hook(lambda m, args, out: seen.update(student=args[0],
                                                               teacher=args[1]))
    data = batch(distiller)
    losses = distiller(**data, mode='loss')

    assert len(teacher_passes) == 1  # RoI logits and features from the same forward
    assert {'loss_ckd', 'loss_hcl'} <= losses.keys()
    expected = distiller.teacher_features(data['inputs'], data['data_samples'])
    assert len(seen['teacher']) == 5
    for got, want in zip(seen['teacher'], expected):
        assert torch.equal(got, want)
    student = distiller.extract_feat(data['inputs'])
    connected = distiller.feature_distill.connector(student)
    for got, want in zip(seen['student'], connected):
        torch.testing.assert_close(got, want)  # the connector applied to the student's FPN
    torch.testing.assert_close(losses['loss_hcl'], hcl(connected, expected))


def test_connector_trains_with_the_student_and_is_saved(teacher_ckpt):
    distiller = build(teacher_ckpt, feature_distill=REVIEW)
    names = [name for name, _ in distiller.named_parameters()]
    assert any(name.startswith('feature_distill.connector.') for name in names)
    assert not any(name.startswith('teacher') for name in names)
    assert any(key.startswith('feature_distill.connector.') and key.endswith('running_mean')
               for key in distiller.state_dict())
    loss = distiller(**batch(distiller), mode='loss')['loss_hcl']
    loss.backward()
    connector_grad = distiller.feature_distill.connector.fusions[0].reduce[0].weight.grad
    assert connector_grad is not None and connector_grad.abs().sum() > 0
    assert distiller.neck.fpn_convs[0].conv.weight.grad.abs().sum() > 0  # reaches the student
    assert all(p.grad is None for p in distiller.teacher.parameters())


def test_feature_distillation_alone_skips_the_teacher_roi_head(teacher_ckpt):
    distiller = build(teacher_ckpt, distill_loss=None, feature_distill=REVIEW)
    head_calls = counting(distiller.teacher.roi_head, '_bbox_forward')
    losses = distiller(**batch(distiller), mode='loss')
    assert 'loss_hcl' in losses and not any('ckd' in key for key in losses)
    assert head_calls == []


def test_pkd_without_connector_on_chosen_levels(teacher_ckpt):
    distiller = build(teacher_ckpt, feature_distill=dict(
        loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0), levels=[0, 1, 2, 3]))
    assert distiller.feature_distill.connector is None
    seen = []
    distiller.feature_distill.loss.register_forward_hook(
        lambda m, args, out: seen.append([tuple(level.shape) for level in args[0]]))
    losses = distiller(**batch(distiller), mode='loss')
    assert 'loss_pkd' in losses and 'loss_ckd' in losses
    assert 0 < losses['loss_pkd'].item() < 6.0 * 4  # (1 - r) / 2 per level, r in [-1, 1]
    assert [shape[2] for shape in seen[0]] == [24, 12, 6, 3]  # p2-p5 of 96 px, not p6
    with pytest.raises(ValueError, match=r'levels \[0, 5\]: the necks give 5 levels'):
        build(teacher_ckpt, feature_distill=dict(loss=dict(type='HCLLoss'), levels=[0, 5]))


@pytest.mark.filterwarnings('ignore:TwoStageDistiller. teacher_ckpt is None')
def test_connector_channels_are_filled_from_the_necks():
    distiller = build(None, teacher_config=teacher_with(out_channels=48),
                      feature_distill=REVIEW)
    connector = distiller.feature_distill.connector
    assert connector.in_channels == [32] * 5 and connector.out_channels == [48] * 5
    assert torch.isfinite(distiller(**batch(distiller), mode='loss')['loss_hcl'])


def test_mismatched_channels_without_connector_is_refused():
    with pytest.raises(ValueError, match=r"student neck gives 5 levels of 32 channels, the "
                                         r"teacher's 5 levels of 48 .*HCLLoss.*connector"):
        build(None, teacher_config=teacher_with(out_channels=48),
              feature_distill=dict(loss=dict(type='HCLLoss')))


def test_connector_channels_that_do_not_fit_are_refused(teacher_ckpt):
    review = dict(REVIEW, connector=dict(type='ReviewKDConnector', in_channels=[64] * 5,
                                         out_channels=[32] * 5))
    with pytest.raises(ValueError, match=r'connector.in_channels is \[64, 64, 64, 64, 64\] '
                                         r'but the student neck gives 5 levels of 32'):
        build(teacher_ckpt, feature_distill=review)


def test_a_neck_that_does_not_say_its_channels_asks_for_them():
    from ckd_mmdet.models.distillers import FeatureDistillation
    with pytest.raises(ValueError, match=r'feature_distill.connector.in_channels: '
                       r"ReviewKDConnector needs the student neck's channels per level"):
        FeatureDistillation.from_config(REVIEW, None, [32] * 5)
    given = dict(REVIEW, connector=dict(REVIEW['connector'], in_channels=[16] * 5))
    connector = FeatureDistillation.from_config(given, None, [32] * 5).connector
    assert connector.in_channels == [16] * 5 and connector.out_channels == [32] * 5


def test_level_counts_the_connector_cannot_map_are_refused():
    with pytest.raises(ValueError, match=r'student neck gives 5 levels \[32, 32, 32, 32, 32\] '
                                         r"and the teacher's 4 levels"):
        build(None, teacher_config=teacher_with(num_outs=4), feature_distill=REVIEW)


@pytest.mark.filterwarnings('ignore:TwoStageDistiller. teacher_ckpt is None')
def test_maps_of_other_strides_are_refused_at_the_first_step():
    # Same channels and levels, but the teacher's FPN starts one stride coarser.
    teacher = teacher_with(start_level=1, in_channels=[64, 128, 256, 512])
    teacher.rpn_head.anchor_generator.strides = [8, 16, 32, 64, 128]
    teacher.roi_head.bbox_roi_extractor.featmap_strides = [8, 16, 32, 64]
    distiller = build(None, teacher_config=teacher, distill_loss=None,
                      feature_distill=dict(loss=dict(type='HCLLoss')))
    with pytest.raises(ValueError, match=r"level 0 of the student is \(2, 32, 24, 24\), the "
                                         r"teacher's \(2, 32, 12, 12\)"):
        distiller(**batch(distiller), mode='loss')


def test_config_errors(teacher_ckpt):
    with pytest.raises(ValueError, match='distils nothing'):
        build(teacher_ckpt, distill_loss=None)
    with pytest.raises(TypeError, match=r"feature_distill: unknown keys \['weight'\]"):
        build(teacher_ckpt, feature_distill=dict(REVIEW, weight=1.0))
    with pytest.raises(ValueError, match="feature_distill.loss: loss type 'HCLoss' is not "
                                         "registered; did you mean 'HCLLoss'"):
        build(teacher_ckpt, feature_distill=dict(loss=dict(type='HCLoss')))
    with pytest.raises(ValueError, match="connector: type 'ReviewKD' is not registered"):
        build(teacher_ckpt, feature_distill=dict(REVIEW, connector=dict(type='ReviewKD')))


def test_registered_components():
    assert MODELS.get('ReviewKDConnector').__name__ == 'ReviewKDConnector'
    assert MODELS.get('HCLLoss').__name__ == 'HCLLoss'
