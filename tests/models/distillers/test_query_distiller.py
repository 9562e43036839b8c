"""DINODistiller and DeformableDETRDistiller on tiny pairs (96 px, CPU): the teacher's decoder
answers the student's queries."""
import warnings

import pytest
import torch
from helpers import dense_model, detr_distiller_model, detr_model
from mmdet.models.layers.transformer import inverse_sigmoid
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules

from ckd_mmdet import ckd_loss
from ckd_mmdet.models.distillers.recording import recording

register_all_modules()
pytestmark = pytest.mark.filterwarnings('ignore:\\w+Distiller. teacher_ckpt is None')
OBJECTS = [3, 2]  # ground-truth boxes per image of ``batch``
# (student family, teacher family): every pairing the distillers take
PAIRS = [('dino', 'dino'), ('deformable_detr', 'deformable_detr'),
         ('dino', 'deformable_detr'), ('deformable_detr', 'dino')]


def initialised(config):
    """The distiller ``config`` builds, its weights initialised: DETRs create ``level_embed``
    with ``torch.Tensor`` (uninitialised memory, NaN at times) and fill it in ``init_weights``."""
    torch.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # teacher_ckpt None: random teacher
        distiller = MODELS.build(config)
        distiller.init_weights()
    return distiller


def build(student='dino', teacher='dino', **options):
    return initialised(detr_distiller_model(
        student, teacher=detr_model(teacher, teacher=True), **options))


def batch(model, seed=0, shapes=((96, 96), ) * len(OBJECTS)):
    """Two images (``shapes``: their heights and widths, padded to the largest)."""
    torch.manual_seed(seed)
    packed = demo_mm_inputs(batch_size=len(OBJECTS), image_shapes=[(3, *hw) for hw in shapes],
                            num_items=OBJECTS, num_classes=12)
    return model.data_preprocessor(packed, True)


def spy_loss(loss):
    """Collects the (student, teacher, keywords) each call of ``loss`` gets."""
    fed, original = [], loss.forward
    loss.forward = lambda s, t, **kw: fed.append((s, t, kw)) or original(s, t, **kw)
    return fed


def matched_classes(distiller, data, scores, boxes):
    """(B, Q) the class each of a layer's matching queries (``scores``, ``boxes``: B, Q, ...)
    is matched to, 12 for none: the student head's own targets, computed again."""
    samples = data['data_samples']
    labels = distiller.bbox_head.get_targets(
        list(scores), list(boxes), [sample.gt_instances for sample in samples],
        [sample.metainfo for sample in samples])[0]
    return torch.stack(labels)


@pytest.fixture(scope='module', params=PAIRS, ids=['-'.join(pair) for pair in PAIRS])
def distiller(request):
    return build(*request.param)


def test_the_teacher_decoder_starts_from_the_students_initial_boxes(distiller):
    with recording(distiller, 'forward_decoder') as student, \
            recording(distiller.teacher, 'forward_decoder') as teacher:
        distiller(**batch(distiller), mode='loss')
    queries = distiller.num_queries
    assert len(teacher['calls']) == 1
    assert torch.equal(teacher['reference_points'], student['reference_points'][:, -queries:])
    if hasattr(distiller, 'dn_query_generator'):  # DINO: denoising queries come first
        assert student['reference_points'].shape[1] > queries
    if hasattr(distiller.teacher, 'dn_query_generator'):  # its first content queries
        assert teacher['dn_mask'] is None
        content = distiller.teacher.query_embedding.weight[:queries]
        assert all(torch.equal(query, content) for query in teacher['query'])
    else:  # made from the boxes, as the teacher's own pre_decoder makes them
        teacher, data = distiller.teacher, batch(distiller)
        with torch.no_grad():
            features = teacher.extract_feat(data['inputs'])
            encoder_inputs, _ = teacher.pre_transformer(features, data['data_samples'])
            own, _ = teacher.pre_decoder(**teacher.forward_encoder(**encoder_inputs))
        with recording(teacher, 'forward_decoder') as answer:
            distiller.teacher_outputs(distiller.teacher_encoder(features, data['data_samples']),
                                      [own['reference_points']])
        for key in ('query', 'query_pos'):
            assert torch.allclose(answer[key], own[key], atol=1e-5)


def test_one_teacher_pass_per_step_and_never_its_own_proposals(distiller):
    with recording(distiller.teacher, 'extract_feat') as features, \
            recording(distiller.teacher, 'forward_encoder') as encoder, \
            recording(distiller.teacher, 'forward_decoder') as decoder, \
            recording(distiller.teacher, 'pre_decoder') as proposals, \
            recording(distiller.bbox_head, 'forward') as head:
        distiller(**batch(distiller), mode='loss')
        counts = {name: len(record['calls']) for name, record in dict(
            features=features, encoder=encoder, decoder=decoder, proposals=proposals,
            head=head).items()}
    assert counts == dict(features=1, encoder=1, decoder=1, proposals=0, head=1)


def test_rows_are_the_queries_the_last_decoder_layer_matched(distiller):
    fed = spy_loss(distiller.distill_loss)
    with recording(distiller.bbox_head, 'forward') as head:
        losses = distiller(**batch(distiller), mode='loss')
    student, teacher, _ = fed[0]
    assert student.shape == teacher.shape == (sum(OBJECTS), 12)
    assert losses['distill_rows'] == sum(OBJECTS)
    assert {'loss_ckd', 'teacher_acc', 'ckd_top1'} <= set(losses)
    # The reference: the student head's own targets for its last layer, computed again.
    scores, boxes = (part[-1][:, -distiller.num_queries:] for part in head['result'])
    rows = scores[matched_classes(distiller, batch(distiller), scores, boxes) < 12]
    centred = rows - rows.mean(dim=1, keepdim=True)
    assert torch.allclose(student, centred.detach(), atol=1e-6)


@pytest.mark.parametrize('family', ['dino', 'deformable_detr'])
def test_a_teacher_equal_to_the_student_gives_equal_rows_query_by_query(family):
    """BN in eval mode and no dropout: the same weights give the same logits (DINO's
    matching queries are masked from its denoising ones), general points included."""
    same = detr_model(family, deterministic=True)
    distiller = initialised(dict(
        detr_distiller_model(family, teacher=same, distill_loss=[
            dict(type='CKDLoss'), dict(type='SigmoidKDLoss')],
            samples=[dict(mode='positives', center=False), dict(mode='all', center=False)],
            decoder_layers='all', general_points=4, box_distill=dict()),
        **{key: same[key] for key in ('backbone', 'encoder', 'decoder')}))
    distiller.teacher.load_state_dict(distiller.state_dict())
    distiller.train()  # the backbone's BN to eval mode (norm_eval), as the teacher's
    ckd, kd = spy_loss(distiller.distill_loss[0]), spy_loss(distiller.distill_loss[1])
    losses = distiller(**batch(distiller), mode='loss')
    assert len(kd) == distiller.decoder.num_layers  # every layer against the same layer
    for student, teacher, _ in kd:
        assert student.shape == (len(OBJECTS) * (distiller.num_queries + 4), 12)
        assert torch.allclose(student, teacher, atol=1e-4)
    assert losses['loss_sigmoid_kd'] < 1e-4 and losses['d0.loss_sigmoid_kd'] < 1e-4
    for key in ('loss_distill_bbox', 'loss_distill_iou', 'd0.loss_distill_bbox',
                'd0.loss_distill_iou'):  # the same boxes, query by query
        assert losses[key] < 1e-4, key
    assert losses['box_iou'] > 1 - 1e-4
    student, teacher, _ = ckd[-1]
    assert len(student) == sum(OBJECTS)
    assert torch.allclose(losses['loss_ckd'], ckd_loss(teacher, teacher).mean(), atol=1e-4)
    assert losses['ckd_top1'] == 100


def test_teacher_confidence_weights_every_query_as_kd_detr():
    distiller = build(distill_loss=dict(type='SigmoidKDLoss'),
                      samples=dict(mode='all', weight='teacher_confidence', center=False))
    fed = spy_loss(distiller.distill_loss)
    losses = distiller(**batch(distiller), mode='loss')
    student, teacher, keywords = fed[0]
    assert len(student) == len(OBJECTS) * distiller.num_queries
    assert torch.allclose(keywords['weight'], teacher.max(dim=1).values.sigmoid())
    assert torch.isfinite(losses['loss_sigmoid_kd'])


def test_the_teacher_is_frozen_and_the_checkpoint_loads_into_the_plain_student(distiller):
    before = {k: v.clone() for k, v in distiller.teacher.state_dict().items()}
    losses = distiller(**batch(distiller), mode='loss')
    sum(value for key, value in losses.items() if 'loss' in key).backward()
    assert all(p.grad is None for p in distiller.teacher.parameters())
    assert all(torch.equal(v, before[k]) for k, v in distiller.teacher.state_dict().items())
    assert not any(key.startswith('teacher') for key in distiller.state_dict())
    assert all(p is not t for p in distiller.parameters() for t in distiller.teacher.parameters())
    family = 'dino' if hasattr(distiller, 'dn_query_generator') else 'deformable_detr'
    MODELS.build(detr_model(family)).load_state_dict(distiller.state_dict(), strict=True)
    distiller.zero_grad()


def test_neck_features_distil_beside_the_logits():
    distiller = build(feature_distill=dict(connector=dict(type='ConvConnector'),
                                           loss=dict(type='HCLLoss')))
    losses = distiller(**batch(distiller), mode='loss')
    assert torch.isfinite(losses['loss_hcl']) and 'loss_ckd' in losses


@pytest.mark.parametrize('family', ['dino', 'deformable_detr'])
def test_encoder_outputs_distil_level_by_level_with_the_padding_zeroed(family):
    """feature_source='encoder': the feature loss gets each encoder's memory as one map per
    level (its tokens in row-major order), zero where the image is padded; a teacher equal to
    the student gives the same maps."""
    same = detr_model(family, deterministic=True)
    distiller = initialised(dict(
        detr_distiller_model(family, teacher=same, distill_loss=None, feature_source='encoder',
                             feature_distill=dict(loss=dict(type='HCLLoss'))),
        **{key: same[key] for key in ('backbone', 'encoder', 'decoder')}))
    distiller.teacher.load_state_dict(distiller.state_dict())
    distiller.train()  # the backbone's BN to eval mode (norm_eval), as the teacher's
    fed = spy_loss(distiller.feature_distill.loss)
    with recording(distiller, 'forward_encoder') as encoder:
        losses = distiller(**batch(distiller, shapes=[(96, 96), (64, 80)]), mode='loss')
    (student, teacher, _), = fed
    padded = encoder['feat_mask']
    assert not padded[0].any() and padded[1].any()  # the second image is padded
    assert [tuple(level.shape) for level in student] == [
        (len(OBJECTS), 256, height, width) for height, width in encoder['spatial_shapes']]
    tokens = torch.cat([level.flatten(2) for level in student], 2).transpose(1, 2)
    assert torch.equal(tokens, encoder['result']['memory'].masked_fill(padded[..., None], 0))
    for mine, theirs in zip(student, teacher):
        assert torch.allclose(mine, theirs, atol=1e-5)
    assert losses['loss_hcl'] < 1e-8 and 'loss_ckd' not in losses


def test_encoder_feature_distillation_alone_trains_the_encoder_not_the_decoder():
    distiller = build(distill_loss=None, feature_source='encoder',
                      feature_distill=dict(loss=dict(type='HCLLoss')))
    losses = distiller(**batch(distiller), mode='loss')
    losses['loss_hcl'].backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in distiller.encoder.parameters() if p.requires_grad)
    assert all(p.grad is None for p in distiller.decoder.parameters())
    assert all(p.grad is None for p in distiller.bbox_head.parameters())
    assert all(p.grad is None for p in distiller.teacher.parameters())


@pytest.mark.parametrize('options, message', [
    (dict(feature_source='fpn'), "feature_source must be 'neck' or 'encoder'"),
    (dict(feature_source='encoder'), 'give feature_distill'),
    (dict(feature_source='encoder', feature_distill=dict(loss=dict(type='HCLLoss'), levels=[9])),
     r'feature_distill.levels \[9\]: the encoders give 4 levels'),
])
def test_encoder_feature_settings_that_cannot_work_are_refused_by_name(options, message):
    with pytest.raises(ValueError, match=message):
        MODELS.build(detr_distiller_model(**options))


def single_stage_deformable(teacher=True):
    return dict(detr_model('deformable_detr', teacher=teacher), as_two_stage=False)


@pytest.mark.parametrize('teacher, message', [
    (dense_model('retinanet', teacher=True), 'needs a DINO or Deformable DETR teacher'),
    (detr_model(teacher=True, num_classes=11), 'num_classes'),
    (detr_model(teacher=True, num_queries=20), 'num_queries'),
    (single_stage_deformable(), 'as_two_stage=True in teacher_config'),
])
def test_a_teacher_that_does_not_pair_is_refused_by_name(teacher, message):
    with pytest.raises((TypeError, ValueError), match=message):
        MODELS.build(detr_distiller_model(teacher=teacher))


def test_a_single_stage_deformable_detr_student_is_refused():
    with pytest.raises(ValueError, match='as_two_stage=True'):
        MODELS.build({**detr_distiller_model('deformable_detr'),
                      **single_stage_deformable(teacher=False), 'type': 'DeformableDETRDistiller'})


def test_twins_are_refused_for_a_one_to_one_matching():
    with pytest.raises(ValueError, match='samples.twins'):
        MODELS.build(detr_distiller_model(samples=dict(twins='pool')))


def test_under_autocast_the_teacher_still_answers_in_fp32():
    distiller = build(box_distill=dict())
    with torch.autocast('cpu', dtype=torch.bfloat16), \
            recording(distiller.teacher, 'forward_decoder') as teacher, \
            recording(distiller.box_distill.loss_iou, 'forward') as iou:
        losses = distiller(**batch(distiller), mode='loss')
    assert teacher['result']['hidden_states'].dtype == torch.float32
    assert teacher['reference_points'].dtype == torch.float32
    assert iou['pred'].dtype == iou['target'].dtype == torch.float32  # boxes compared in fp32
    for key in ('loss_ckd', 'loss_distill_bbox', 'loss_distill_iou'):
        assert torch.isfinite(losses[key]), key


def test_every_decoder_layer_distils_against_the_teachers_same_layer():
    two_layers = detr_model(teacher=True)
    two_layers['decoder'].update(num_layers=2)
    distiller = initialised(detr_distiller_model(teacher=two_layers, decoder_layers='all'))
    fed = spy_loss(distiller.distill_loss)
    with recording(distiller.bbox_head, 'get_targets') as targets:
        losses = distiller(**batch(distiller), mode='loss')
    assert {'d0.loss_ckd', 'loss_ckd', 'ckd_top1'} <= set(losses)
    assert not {'d0.ckd_top1', 'd0.distill_rows', 'd1.loss_ckd'} & set(losses)
    # layer 0's rows: its own matched queries (one per object)
    assert [len(student) for student, _, _ in fed] == [sum(OBJECTS)] * 2
    assert len(targets['calls']) == 3  # two decoder layers and the encoder
    with pytest.raises(ValueError, match='decoder.num_layers is 2, the teacher.s 3'):
        MODELS.build(detr_distiller_model(decoder_layers='all'))


def test_every_layer_against_the_teachers_last_layer_pairs_any_depths():
    """decoder_layers='all_to_last' (KD-DETR's targets): each student layer's matched queries
    against the teacher's last layer on the same queries, a 2-layer student and a 3-layer
    teacher."""
    distiller = initialised(detr_distiller_model(decoder_layers='all_to_last'))
    assert distiller.decoder.num_layers == 2 and distiller.teacher.decoder.num_layers == 3
    fed = spy_loss(distiller.distill_loss)
    data = batch(distiller)
    with recording(distiller, 'teacher_outputs') as teacher, \
            recording(distiller.bbox_head, 'forward') as head:
        losses = distiller(**data, mode='loss')
    assert {'d0.loss_ckd', 'loss_ckd'} <= set(losses) and 'd1.loss_ckd' not in losses
    last, queries = teacher['result'][0][-1], distiller.num_queries  # the teacher's last layer
    assert [len(student) for student, _, _ in fed] == [sum(OBJECTS)] * 2
    for layer, (_, answer, _) in enumerate(fed):
        # this layer's own matching, computed again; the rows centred as the loss takes them
        scores, boxes = (part[layer][:, -queries:] for part in head['result'])
        rows = last[matched_classes(distiller, data, scores, boxes) < 12]
        assert torch.allclose(answer, rows - rows.mean(1, keepdim=True), atol=1e-6)
    with pytest.raises(ValueError, match="decoder_layers must be 'last', 'all' or 'all_to_"):
        MODELS.build(detr_distiller_model(decoder_layers='every'))


def test_under_every_layer_the_teacher_is_checked_on_its_last_layer():
    """decoder_layers='all': the teacher check and teacher_acc read the last layer's logits
    (the teacher's answer), never an auxiliary layer's, whatever order the layers run in."""
    two_layers = detr_model(teacher=True)
    two_layers['decoder'].update(num_layers=2)
    distiller = initialised(detr_distiller_model(teacher=two_layers, decoder_layers='all'))
    with recording(distiller, 'check_teacher') as check, \
            recording(distiller, 'teacher_outputs') as teacher:
        distiller(**batch(distiller), mode='loss')
    assert len(check['calls']) == 1
    checked, layers = check['logits'], teacher['result'][0]
    assert checked.shape == (sum(OBJECTS), 12)
    last, first = layers[-1].reshape(-1, 12), layers[0].reshape(-1, 12)
    assert all((last == row).all(1).any() for row in checked)
    assert not any((first == row).all(1).any() for row in checked)


@pytest.mark.parametrize('pair', PAIRS, ids=['-'.join(pair) for pair in PAIRS])
def test_general_points_reach_both_decoders_as_unmatched_rows(pair):
    """KD-DETR's general points: the same random boxes in a second decoder pass of each
    model (the teacher's encoder still once), their rows after the matching queries'."""
    distiller = build(*pair, general_points=5, distill_loss=dict(type='SigmoidKDLoss'),
                      samples=dict(mode='all', weight='teacher_confidence', center=False))
    fed = spy_loss(distiller.distill_loss)
    with recording(distiller, 'forward_decoder') as student, \
            recording(distiller.teacher, 'forward_decoder') as teacher, \
            recording(distiller.teacher, 'forward_encoder') as encoder:
        losses = distiller(**batch(distiller), mode='loss')
    assert len(student['calls']) == len(teacher['calls']) == 2 and len(encoder['calls']) == 1
    boxes = student['calls'][1]['reference_points']
    assert boxes.shape == (len(OBJECTS), 5, 4) and ((boxes > 0) & (boxes < 1)).all()
    assert torch.equal(boxes[0], boxes[1])  # the same points for every image
    assert torch.equal(teacher['calls'][1]['reference_points'], boxes)
    if hasattr(distiller, 'dn_query_generator'):  # the student's own content queries
        content = distiller.query_embedding.weight[:5]
        assert all(torch.equal(query, content) for query in student['calls'][1]['query'])
    queries = distiller.num_queries
    assert len(fed[0][0]) == losses['distill_rows'] == len(OBJECTS) * (queries + 5)
    # the general rows are the second passes' last-layer logits, image after image
    rows = distiller.bbox_head.cls_branches[-1](student['result']['hidden_states'][-1])
    assert torch.allclose(fed[0][0].view(len(OBJECTS), queries + 5, -1)[:, queries:], rows,
                          atol=1e-6)


@pytest.mark.parametrize('options, message', [
    (dict(general_points=5), "samples.mode 'positives' takes only matched queries"),
    (dict(general_points=31, samples=dict(mode='all')),
     r"the student answers 31 points .* num_queries is 30\. Lower general_points or raise "
     "the student's num_queries"),
    (dict(general_points=20, samples=dict(mode='all'), teacher=detr_model(
        teacher=True, num_queries=10)),
     r"teacher answers 30 points .* num_queries is 10\. Lower the student's num_queries or "
     'general_points, or use a teacher'),
    (dict(general_points=-1), 'general_points must be an int >= 0'),
])
def test_general_points_that_cannot_be_distilled_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        MODELS.build(detr_distiller_model(**options))


def test_a_random_teacher_is_initialised_without_fetching_its_pretrained_backbone():
    """teacher_ckpt=None: the teacher gets its own init_weights() (DINO allocates level_embed
    uninitialised until then: NaN logits from garbage memory), its Pretrained init_cfg left
    out (a missing file here would raise) and put back."""
    teacher = detr_model(teacher=True)
    pretrained = dict(type='Pretrained', checkpoint='/nonexistent/resnet34.pth')
    teacher['backbone']['init_cfg'] = pretrained
    distiller = MODELS.build(detr_distiller_model(teacher=teacher))
    with pytest.warns(UserWarning, match='teacher_ckpt is None'):
        distiller.init_weights()
    assert distiller.teacher._is_init and distiller.teacher.backbone.init_cfg == pretrained
    level_embed = distiller.teacher.level_embed
    assert torch.isfinite(level_embed).all() and level_embed.std() > 0.5  # normal_() of init
    losses = distiller(**batch(distiller), mode='loss')
    assert torch.isfinite(losses['loss_ckd'])


def aligned_iou_giou(a, b):
    """IoU and GIoU of each pair of rows of two (M, 4) cx, cy, w, h box sets, written out."""
    a = torch.cat([a[:, :2] - a[:, 2:] / 2, a[:, :2] + a[:, 2:] / 2], 1)
    b = torch.cat([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], 1)
    area = lambda box: (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])  # noqa: E731
    inner = (torch.min(a[:, 2:], b[:, 2:]) - torch.max(a[:, :2], b[:, :2])).clamp(min=0)
    overlap = inner[:, 0] * inner[:, 1]
    union = area(a) + area(b) - overlap
    hull = torch.max(a[:, 2:], b[:, 2:]) - torch.min(a[:, :2], b[:, :2])
    iou = overlap / union
    return iou, iou - (hull[:, 0] * hull[:, 1] - union) / (hull[:, 0] * hull[:, 1])


@pytest.mark.parametrize('pair', PAIRS, ids=['-'.join(pair) for pair in PAIRS])
def test_box_distillation_is_kd_detrs_weighted_l1_and_giou_on_every_query(pair):
    """box_distill=dict(): KD-DETR's loss_boxes (Myleswork/KD-DETR kd_loss.py): 5 x the
    weighted mean of each query's mean |student - teacher| coordinate + 2 x the weighted
    mean of 1 - GIoU, weights the teacher's highest class probability; the teacher's boxes
    are its own last layer's refinement of the student's initial boxes."""
    distiller = build(*pair, box_distill=dict())
    teacher = distiller.teacher
    for model in (distiller, teacher):  # initialised to answer the reference boxes as they are
        for parameter in model.bbox_head.reg_branches.parameters():
            torch.nn.init.normal_(parameter, std=0.1)
    with recording(distiller.bbox_head, 'forward') as head, \
            recording(teacher, 'forward_decoder') as decoder, \
            recording(teacher.bbox_head, 'forward') as answer:
        losses = distiller(**batch(distiller), mode='loss')
    queries = distiller.num_queries
    student = head['result'][1][-1][:, -queries:].reshape(-1, 4)
    states, references = decoder['result']['hidden_states'], decoder['result']['references']
    last = len(states) - 1  # (two-stage: the branch after it is the encoder's)
    target = (teacher.bbox_head.reg_branches[last](states[last]) +
              inverse_sigmoid(references[last])).sigmoid().reshape(-1, 4)
    weight = answer['result'][0][-1].reshape(-1, 12).max(dim=1).values.sigmoid()
    l1 = ((student - target).abs().mean(dim=1) * weight).sum() / weight.sum()
    iou, giou = aligned_iou_giou(student, target)
    assert 0 < l1 and (iou < 0.99).any()
    assert torch.allclose(losses['loss_distill_bbox'], 5 * l1, rtol=1e-4)
    assert torch.allclose(losses['loss_distill_iou'], 2 * ((1 - giou) * weight).sum()
                          / weight.sum(), rtol=1e-4)
    assert torch.allclose(losses['box_iou'], iou.mean(), rtol=1e-4)
    assert 'loss_ckd' in losses


def test_box_distillation_alone_trains_the_students_box_branches():
    distiller = build(distill_loss=None, box_distill=dict(
        loss_iou=None, samples=dict(mode='positives')))
    for parameter in distiller.teacher.bbox_head.reg_branches.parameters():
        torch.nn.init.normal_(parameter, std=0.1)  # boxes of its own (mmdet's init: none)
    losses = distiller(**batch(distiller), mode='loss')
    assert not any('ckd' in key or key == 'teacher_acc' for key in losses)
    assert 'loss_distill_iou' not in losses
    losses['loss_distill_bbox'].backward()
    last = distiller.decoder.num_layers - 1  # the last decoder layer's branches
    output = distiller.bbox_head.reg_branches[last][-1]  # (mmdet zero-initialises it)
    assert all(parameter.grad.abs().sum() > 0 for parameter in output.parameters())
    assert all(parameter.grad is None for parameter in distiller.teacher.parameters())
    assert distiller.bbox_head.cls_branches[last].weight.grad is None


def test_box_distillation_follows_decoder_layers_and_general_points():
    two_layers = detr_model(teacher=True)
    two_layers['decoder'].update(num_layers=2)
    distiller = initialised(detr_distiller_model(
        teacher=two_layers, decoder_layers='all', general_points=3,
        box_distill=dict(samples=dict(mode='all'))))
    loss_iou = distiller.box_distill.loss_iou
    fed = spy_loss(loss_iou)
    losses = distiller(**batch(distiller), mode='loss')
    assert {'d0.loss_distill_bbox', 'd0.loss_distill_iou', 'loss_distill_bbox',
            'loss_distill_iou', 'box_iou'} <= set(losses)
    assert 'd0.box_iou' not in losses
    # every matching query and general point of both images, layer by layer
    assert [len(student) for student, _, _ in fed] == [len(OBJECTS) * (30 + 3)] * 2
    # mode 'positives' for the logits: the general points are the boxes' only
    MODELS.build(detr_distiller_model(general_points=3, box_distill=dict()))


@pytest.mark.parametrize('box_distill, message', [
    (dict(loss_l1=dict(type='L1Loss')), r"box_distill: unknown keys \['loss_l1'\]"),
    (dict(loss_bbox=None, loss_iou=None), 'box_distill distils nothing'),
    (dict(samples=dict(twins='pool')), 'box_distill.samples.twins'),
    (dict(samples=[dict(mode='all')]), 'box_distill.samples must be one dict'),
    (dict(loss_iou=dict(type='GIoULos')), "box_distill.loss_iou: loss type 'GIoULos'"),
])
def test_box_distillation_that_cannot_work_is_refused_by_key(box_distill, message):
    with pytest.raises((TypeError, ValueError), match=message):
        MODELS.build(detr_distiller_model(box_distill=box_distill))
