"""TwoStageDistiller on tiny R-18/R-34 Faster R-CNNs (96 px, 32 RoIs per image, CPU)."""
import copy

import pytest
import torch
from helpers import DISTILL_CONFIG, STUDENT_CONFIG, TEACHER_CONFIG
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.optim import OptimWrapper

from ckd_mmdet import TwoStageDistiller

register_all_modules()


def distiller_config(teacher_ckpt=None, **model):
    cfg = Config.fromfile(str(DISTILL_CONFIG)).model
    cfg.teacher_ckpt = None if teacher_ckpt is None else str(teacher_ckpt)
    for key, value in model.items():  # replace, not merge (ConfigDict.update merges)
        cfg[key] = value
    return cfg


def build(teacher_ckpt, **model):
    torch.manual_seed(1)
    distiller = MODELS.build(distiller_config(teacher_ckpt, **model))
    distiller.init_weights()
    return distiller


def batch(model, seed=0, batch_size=2, with_mask=False):
    torch.manual_seed(seed)
    packed = demo_mm_inputs(batch_size=batch_size, image_shapes=(3, 96, 96),
                            num_items=[3] * batch_size, num_classes=12, with_mask=with_mask)
    return model.data_preprocessor(packed, True)


def record_inputs(module, index=1):
    """Collects argument ``index`` of every forward call of ``module``."""
    seen = []
    module.register_forward_pre_hook(lambda mod, args: seen.append(args[index]))
    return seen


def test_teacher_head_sees_exactly_the_students_sampled_rois(teacher_ckpt):
    distiller = build(teacher_ckpt)
    student_rois = record_inputs(distiller.roi_head.bbox_roi_extractor)
    teacher_rois = record_inputs(distiller.teacher.roi_head.bbox_roi_extractor)
    student_scores = []
    distiller.roi_head.bbox_head.register_forward_hook(
        lambda mod, args, out: student_scores.append(out[0]))
    fed = []
    original_loss = distiller.distill_loss.forward
    distiller.distill_loss.forward = lambda s, t, **kw: fed.append((s, t)) or original_loss(
        s, t, **kw)

    distiller(**batch(distiller), mode='loss')

    assert len(student_rois) == len(teacher_rois) == 1
    # 2 images x 32 sampled RoIs, image index in column 0: all images of the batch together.
    assert student_rois[0].shape == (64, 5)
    assert set(student_rois[0][:, 0].tolist()) == {0.0, 1.0}
    assert torch.equal(teacher_rois[0], student_rois[0])
    # The student head ran once; the loss got its cls_score itself, row for row.
    assert len(student_scores) == 1 and len(fed) == 1
    assert fed[0][0] is student_scores[0]
    assert fed[0][1].shape == (64, 13) and not fed[0][1].requires_grad


def test_teacher_is_frozen_through_an_optimizer_step(teacher_ckpt):
    distiller = build(teacher_ckpt)
    distiller.train()
    teacher = distiller.teacher
    assert not teacher.training
    assert all(not m.training for m in teacher.modules())  # BN included
    before = copy.deepcopy(teacher.state_dict())
    student_before = copy.deepcopy(distiller.state_dict())
    optim_wrapper = OptimWrapper(torch.optim.SGD(distiller.parameters(), lr=0.1, momentum=0.9))

    for seed in range(2):
        log = distiller.train_step(batch(distiller, seed), optim_wrapper)
    assert 'loss_ckd' in log
    assert all(p.grad is None and not p.requires_grad for p in teacher.parameters())
    for key, value in teacher.state_dict().items():  # BN running stats included
        assert torch.equal(value, before[key]), key
    changed = [k for k, v in distiller.state_dict().items()
               if not torch.equal(v, student_before[k])]
    assert any(k.startswith('backbone.') for k in changed)


def test_distill_loss_backpropagates_into_the_student_only(teacher_ckpt):
    distiller = build(teacher_ckpt)
    losses = distiller(**batch(distiller), mode='loss')
    assert {'loss_ckd', 'loss_cls', 'loss_bbox', 'loss_rpn_cls'} <= set(losses)
    assert losses['loss_ckd'].grad_fn is not None and losses['loss_ckd'].item() > 0
    losses['loss_ckd'].backward()
    assert distiller.roi_head.bbox_head.fc_cls.weight.grad.abs().sum() > 0
    assert distiller.backbone.layer4[0].downsample[0].weight.grad.abs().sum() > 0
    assert distiller.roi_head.bbox_head.fc_reg.weight.grad is None  # boxes not distilled


def test_checkpoint_holds_plain_student_keys(teacher_ckpt):
    distiller = build(teacher_ckpt)
    student = MODELS.build(Config.fromfile(str(STUDENT_CONFIG)).model)
    state = distiller.state_dict()
    assert not any(key.startswith('teacher') for key in state)
    assert set(state) == set(student.state_dict())
    student.load_state_dict(state, strict=True)
    assert set(id(p) for p in distiller.parameters()).isdisjoint(
        id(p) for p in distiller.teacher.parameters())


def test_teacher_weights_come_from_teacher_ckpt_and_follow_to(teacher_ckpt):
    distiller = build(teacher_ckpt)
    saved = torch.load(teacher_ckpt)['state_dict']
    for key, value in distiller.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key
    distiller.to(torch.float64)
    assert next(distiller.teacher.parameters()).dtype == torch.float64


def test_teacher_is_loaded_at_first_loss_without_init_weights(teacher_ckpt):
    torch.manual_seed(5)
    distiller = MODELS.build(distiller_config(teacher_ckpt))
    distiller(**batch(distiller), mode='loss')
    saved = torch.load(teacher_ckpt)['state_dict']
    key = 'roi_head.bbox_head.fc_cls.weight'
    assert torch.equal(distiller.teacher.state_dict()[key], saved[key])


def test_kd_baseline_through_mmdet_loss(teacher_ckpt):
    distiller = build(teacher_ckpt, distill_loss=dict(
        type='KnowledgeDistillationKLDivLoss', T=1, loss_weight=4.0), distill_loss_name='loss_kd')
    losses = distiller(**batch(distiller), mode='loss')
    assert 'loss_kd' in losses and 'loss_ckd' not in losses
    assert losses['loss_kd'].item() > 0


def test_dkd_baseline_gets_the_sampled_labels(teacher_ckpt):
    distiller = build(teacher_ckpt, distill_loss=dict(
        type='mmrazor.DKDLoss', reduction='batchmean', beta=0.25))
    seen = {}
    original_forward = distiller.distill_loss.forward

    def spy(preds_S, preds_T, gt_labels):
        seen.update(student=preds_S, labels=gt_labels)
        return original_forward(preds_S, preds_T, gt_labels)

    distiller.distill_loss.forward = spy
    sampled = []
    original_sample = distiller.roi_head.bbox_sampler.sample
    distiller.roi_head.bbox_sampler.sample = lambda *a, **k: sampled.append(
        original_sample(*a, **k)) or sampled[-1]
    losses = distiller(**batch(distiller), mode='loss')

    assert distiller.distill_loss_name == 'loss_dkd' and losses['loss_dkd'].item() > 0
    labels = seen['labels']
    assert labels.shape == (seen['student'].shape[0],)
    expected = torch.cat([torch.cat([s.pos_gt_labels, s.pos_gt_labels.new_full(
        (len(s.neg_inds),), 12)]) for s in sampled])
    assert torch.equal(labels, expected)  # background = num_classes = 12
    assert (labels < 12).any() and (labels == 12).any()


def test_different_normalisation_is_converted_for_the_teacher(teacher_ckpt):
    caffe = dict(type='DetDataPreprocessor', mean=[103.53, 116.28, 123.675],
                 std=[1.0, 1.0, 1.0], bgr_to_rgb=False, pad_size_divisor=32)
    teacher_cfg = Config.fromfile(str(TEACHER_CONFIG)).model
    teacher_cfg.data_preprocessor = caffe
    distiller = build(teacher_ckpt, teacher_config=teacher_cfg)
    torch.manual_seed(0)
    packed = demo_mm_inputs(batch_size=2, image_shapes=[(3, 96, 80), (3, 70, 96)],
                            num_items=[2, 2], num_classes=12)
    student_data = distiller.data_preprocessor(copy.deepcopy(packed), False)
    expected = distiller.teacher.data_preprocessor(copy.deepcopy(packed), False)['inputs']
    converted = distiller._to_teacher_inputs(student_data['inputs'],
                                             student_data['data_samples'])
    assert not torch.allclose(student_data['inputs'], expected)
    torch.testing.assert_close(converted, expected, rtol=1e-4, atol=1e-3)

    seen = record_inputs(distiller.teacher.backbone, index=0)
    distiller(**distiller.data_preprocessor(copy.deepcopy(packed), True), mode='loss')
    assert seen[0].shape == expected.shape


def test_mask_rcnn_pair(teacher_ckpt, tmp_path):
    def mask_rcnn(depth):
        cfg = Config.fromfile(str(STUDENT_CONFIG)).model  # the tiny Faster R-CNN + a mask head
        cfg.type = 'MaskRCNN'
        cfg.backbone.depth = depth
        cfg.roi_head.update(
            mask_roi_extractor=dict(type='SingleRoIExtractor', out_channels=32,
                                    roi_layer=dict(type='RoIAlign', output_size=14,
                                                   sampling_ratio=0),
                                    featmap_strides=[4, 8, 16, 32]),
            mask_head=dict(type='FCNMaskHead', num_convs=1, in_channels=32, conv_out_channels=32,
                           num_classes=12,
                           loss_mask=dict(type='CrossEntropyLoss', use_mask=True,
                                          loss_weight=1.0)))
        cfg.train_cfg.rcnn.mask_size = 28
        cfg.test_cfg.rcnn.mask_thr_binary = 0.5
        return cfg

    teacher = MODELS.build(mask_rcnn(34))
    path = tmp_path / 'mask_teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    student = mask_rcnn(18)
    student.pop('type')
    distiller = MODELS.build(dict(type='TwoStageDistiller', teacher_config=mask_rcnn(34),
                                  teacher_ckpt=str(path), **student))
    distiller.init_weights()
    teacher_rois = record_inputs(distiller.teacher.roi_head.bbox_roi_extractor)
    losses = distiller(**batch(distiller, with_mask=True), mode='loss')
    assert {'loss_mask', 'loss_ckd'} <= set(losses)
    assert len(teacher_rois) == 1 and teacher_rois[0].shape == (64, 5)


# --- bad input: one clear error each --------------------------------------------------------

def test_class_count_mismatch():
    teacher_cfg = Config.fromfile(str(TEACHER_CONFIG)).model
    teacher_cfg.roi_head.bbox_head.num_classes = 80
    with pytest.raises(ValueError, match=r"student's roi_head.bbox_head.num_classes is 12, "
                                         r"the teacher's 80"):
        MODELS.build(distiller_config(teacher_config=teacher_cfg))


def test_missing_teacher_ckpt(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"teacher_ckpt: no file at '{tmp_path}/nope.pth'"):
        MODELS.build(distiller_config(tmp_path / 'nope.pth'))


def test_unreadable_teacher_ckpt(tmp_path, teacher_ckpt):
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(teacher_ckpt.read_bytes()[:5000])
    distiller = MODELS.build(distiller_config(truncated))
    with pytest.raises(RuntimeError, match=f'teacher_ckpt {truncated} could not be read.*'
                                           'complete and a PyTorch checkpoint'):
        distiller.init_weights()


@pytest.mark.parametrize('content', [b'<html><body>404 Not Found</body></html>',
                                     b'just some text\n', b''])
def test_teacher_ckpt_that_is_not_a_pickle_is_unreadable_not_refused(tmp_path, content):
    # e.g. an HTML error page saved as .pth: "refused ... if you trust this file" would send
    # the user the wrong way.
    page = tmp_path / 'teacher.pth'
    page.write_bytes(content)
    distiller = MODELS.build(distiller_config(page))
    with pytest.raises(RuntimeError, match=f'teacher_ckpt {page} could not be read.*'
                                           'complete and a PyTorch checkpoint') as info:
        distiller.init_weights()
    assert 'Refused' not in str(info.value) and 'TRUSTED' not in str(info.value)


def test_teacher_ckpt_of_another_architecture(tmp_path):
    student = MODELS.build(Config.fromfile(str(STUDENT_CONFIG)).model)  # R-18, teacher is R-34
    path = tmp_path / 'r18.pth'
    torch.save(dict(state_dict=student.state_dict()), path)
    distiller = MODELS.build(distiller_config(path))
    with pytest.raises(ValueError) as info:
        distiller.init_weights()
    message = str(info.value)
    assert f'teacher_ckpt {path} does not fit teacher_config' in message
    assert 'keys of the teacher are missing' in message and 'backbone.layer' in message


def test_teacher_ckpt_with_other_shapes(tmp_path):
    teacher_cfg = Config.fromfile(str(TEACHER_CONFIG)).model
    teacher_cfg.roi_head.bbox_head.fc_out_channels = 48
    path = tmp_path / 'narrow.pth'
    torch.save(dict(state_dict=MODELS.build(teacher_cfg).state_dict()), path)
    distiller = MODELS.build(distiller_config(path))
    with pytest.raises(ValueError, match='tensors differ in shape, e.g. size mismatch for '
                                         'roi_head.bbox_head'):
        distiller.init_weights()


def test_unregistered_distill_loss():
    with pytest.raises(ValueError, match="distill_loss: loss type 'CKDLos' is not registered; "
                                         "did you mean 'CKDLoss'"):
        MODELS.build(distiller_config(distill_loss=dict(type='CKDLos')))


def test_misspelled_distill_loss_argument():
    with pytest.raises(TypeError, match=r"distill_loss \(CKDLoss\).*'temperature'.*it accepts "
                                        'loss_weight, tau, reduction, check_finite'):
        MODELS.build(distiller_config(distill_loss=dict(type='CKDLoss', temperature=2.0)))


def test_single_stage_student():
    retinanet = get_config('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py').model
    retinanet.backbone.init_cfg = None
    retinanet.pop('type')
    with pytest.raises(TypeError, match='needs a two-stage student detector.*has no rpn_head '
                                        'or roi_head.*it has bbox_head'):
        MODELS.build(dict(type='TwoStageDistiller', teacher_config=str(TEACHER_CONFIG),
                          **retinanet))


def test_single_stage_teacher():
    retinanet = get_config('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py').model
    retinanet.backbone.init_cfg = None
    with pytest.raises(TypeError, match='needs a two-stage teacher.*builds a RetinaNet'):
        MODELS.build(distiller_config(teacher_config=retinanet))


def test_teacher_config_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='teacher_config: no config file at'):
        MODELS.build(distiller_config(teacher_config=str(tmp_path / 'missing.py')))


def test_registered_type_is_the_class():
    assert MODELS.get('TwoStageDistiller') is TwoStageDistiller


@pytest.mark.parametrize('precision,channels_last,tolerance', [
    ('fp32', True, 1e-5),  # mmcv's RoIAlign misreads channels-last maps: must be exact
    ('bf16', True, 0.02), ('fp16', False, 0.01)])
def test_teacher_precision_and_memory_format_options(teacher_ckpt, precision, channels_last,
                                                     tolerance):
    reference = build(teacher_ckpt)
    fast = build(teacher_ckpt, teacher_precision=precision,
                 teacher_channels_last=channels_last)
    conv = fast.teacher.backbone.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last) == channels_last
    data = batch(reference)
    rois = torch.tensor([[0, 4.0, 4.0, 60.0, 50.0], [1, 10.0, 20.0, 90.0, 70.0]])
    with torch.no_grad():
        expected = reference.teacher_logits(
            reference.teacher_features(data['inputs'], data['data_samples']), rois)
        got = fast.teacher_logits(fast.teacher_features(data['inputs'], data['data_samples']),
                                  rois)
    assert got.dtype == torch.float32 and got.shape == expected.shape == (2, 13)
    if precision != 'fp32':
        assert not torch.equal(got, expected)  # the backbone really ran in half precision
    torch.testing.assert_close(got, expected, rtol=0,
                               atol=tolerance * expected.abs().max().item())
    assert torch.isfinite(fast(**data, mode='loss')['loss_ckd'])


def test_teacher_logits_stay_fp32_inside_amp_autocast(teacher_ckpt):
    distiller = build(teacher_ckpt)
    data = batch(distiller)
    rois = torch.tensor([[0, 4.0, 4.0, 60.0, 50.0], [1, 10.0, 20.0, 90.0, 70.0]])
    features = distiller.teacher_features(data['inputs'], data['data_samples'])
    expected = distiller.teacher_logits(features, rois)
    with torch.autocast('cpu', dtype=torch.bfloat16):  # as AmpOptimWrapper's optim_context
        assert torch.nn.functional.linear(rois, rois).dtype == torch.bfloat16
        got = distiller.teacher_logits(features, rois)
    assert got.dtype == torch.float32
    assert torch.equal(got, expected)


def test_unknown_teacher_precision(teacher_ckpt):
    with pytest.raises(ValueError, match="teacher_precision must be one of"):
        build(teacher_ckpt, teacher_precision='half')


class Payload:
    def __reduce__(self):  # would run print() if unpickled without weights_only
        return (print, ('pwned',))


def test_teacher_ckpt_pickling_an_arbitrary_object_is_refused(tmp_path, capsys):
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=Payload()), path)
    distiller = MODELS.build(distiller_config(path))
    with pytest.raises(Exception, match='Refused to load checkpoint') as info:
        distiller.init_weights()
    assert 'CKD_MMDET_TRUSTED_CHECKPOINTS' in str(info.value)
    assert 'pwned' not in capsys.readouterr().out


def test_images_without_objects_give_an_all_background_batch(teacher_ckpt):
    distiller = build(teacher_ckpt)
    data = batch(distiller)
    for sample in data['data_samples']:  # no annotated object at all
        sample.gt_instances = sample.gt_instances[:0]
    fed = []
    distiller.distill_loss.register_forward_hook(lambda mod, args, out: fed.append(args))
    losses = distiller(**data, mode='loss')
    assert fed[0][0].shape == (64, 13)  # the RoIs are all background, still contrasted
    total = sum(value for key, value in losses.items() if 'loss' in key and
                torch.is_tensor(value))
    assert torch.isfinite(losses['loss_ckd']) and torch.isfinite(total)
    total.backward()
    assert all(torch.isfinite(p.grad).all() for p in distiller.parameters()
               if p.grad is not None)


def test_roi_head_not_derived_from_standard_roi_head():
    from mmdet.models.roi_heads import BaseRoIHead

    @MODELS.register_module(force=True)
    class BareRoIHead(BaseRoIHead):  # a custom head outside the StandardRoIHead family
        def init_bbox_head(self, *args, **kwargs):
            pass

        def init_mask_head(self, *args, **kwargs):
            pass

        def init_assigner_sampler(self):
            pass

        def loss(self, *args, **kwargs):
            return {}

        def predict(self, *args, **kwargs):
            return []

    teacher_cfg = Config.fromfile(str(TEACHER_CONFIG)).model
    teacher_cfg.roi_head = dict(type='BareRoIHead')
    with pytest.raises(TypeError, match='derived from StandardRoIHead.*the teacher has '
                                        'BareRoIHead'):
        MODELS.build(distiller_config(teacher_config=teacher_cfg))


def test_twins_not_negatives_groups_the_rois_of_each_object(teacher_ckpt):
    distiller = build(teacher_ckpt, twins='not_negatives')
    seen = {}
    original_forward = distiller.distill_loss.forward
    distiller.distill_loss.forward = lambda s, t, **kw: seen.update(s=s, t=t, **kw) or \
        original_forward(s, t, **kw)
    sampled = []
    original_sample = distiller.roi_head.bbox_sampler.sample
    distiller.roi_head.bbox_sampler.sample = lambda *a, **k: sampled.append(
        original_sample(*a, **k)) or sampled[-1]
    data = batch(distiller)
    losses = distiller(**data, mode='loss')

    groups = seen['groups']
    assert groups.shape == (seen['s'].shape[0],)
    # written from the sampling results independently: image by image, positives then
    # negatives; positives numbered by (image, ground-truth box), negatives alone
    expected = []
    for image, result in enumerate(sampled):
        expected += [(image, int(g)) for g in result.pos_assigned_gt_inds]
        expected += [('negative', image, int(n)) for n in result.neg_inds]
    same = [[a == b for b in expected] for a in expected]
    assert torch.equal(groups[:, None] == groups[None, :], torch.tensor(same))
    # a positive's group holds only rows of its box's class
    labels = torch.cat([torch.cat([s.pos_gt_labels, s.pos_gt_labels.new_full(
        (len(s.neg_inds),), 12)]) for s in sampled])
    for group in groups.unique():
        assert len(labels[groups == group].unique()) == 1
    assert (torch.bincount(groups) > 1).any()  # some object has several RoIs: the test bites
    plain = build(teacher_ckpt).distill_loss(seen['s'], seen['t'])
    assert losses['loss_ckd'].item() < plain.item()  # fewer negatives, smaller loss


def test_twins_not_negatives_needs_a_loss_that_takes_groups(teacher_ckpt):
    with pytest.raises(ValueError, match=r"twins='not_negatives' needs a distill_loss that "
                       r'takes groups \(CKDLoss\); KnowledgeDistillationKLDivLoss'):
        build(teacher_ckpt, twins='not_negatives', distill_loss=dict(
            type='KnowledgeDistillationKLDivLoss', T=1))
    with pytest.raises(ValueError, match="twins must be 'negatives' or 'not_negatives'"):
        build(teacher_ckpt, twins='pool')


def test_ckd_beside_kd_and_dkd_on_the_same_rois(teacher_ckpt):
    ckd = dict(type='CKDLoss', loss_weight=0.1)
    kd = dict(type='KnowledgeDistillationKLDivLoss', T=1, loss_weight=1.3)
    dkd = dict(type='mmrazor.DKDLoss', reduction='batchmean', beta=0.25)
    distiller = build(teacher_ckpt, distill_loss=[ckd, kd, dkd],
                      distill_loss_name=['loss_ckd', 'loss_kd', 'loss_dkd'],
                      twins='not_negatives')
    data = batch(distiller)
    torch.manual_seed(0)  # the RoI sampler draws: the same RoIs in every run
    losses = distiller(**data, mode='loss')
    for name, loss, extra in (('loss_ckd', ckd, dict(twins='not_negatives')),
                              ('loss_kd', kd, {}), ('loss_dkd', dkd, {})):
        alone = build(teacher_ckpt, distill_loss=loss, distill_loss_name=name, **extra)
        torch.manual_seed(0)
        torch.testing.assert_close(losses[name], alone(**data, mode='loss')[name])
