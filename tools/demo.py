"""Smoke demo: one CKD step between the RoI logits of two tiny Faster R-CNNs (CPU, seconds).

A narrow R-34 teacher and R-18 student (random weights, nothing downloaded) see the same two
images; both RoI heads run on the same boxes through mmcv's compiled RoIAlign, CKDLoss compares
the logits row for row, and one SGD step updates the student alone. With random weights the
teacher's rows are nearly parallel, so the loss sits near log N: this checks the plumbing, not
the method. The full distillation demo replaces it once the distiller lands.
"""
import argparse
import math

import torch
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi
from mmdet.utils import register_all_modules
from mmengine.hub import get_config

from ckd_mmdet import CKDLoss


def tiny_faster_rcnn(depth):
    cfg = get_config('mmdet::_base_/models/faster-rcnn_r50_fpn.py').model
    cfg.backbone.update(depth=depth, init_cfg=None)
    cfg.neck.update(in_channels=[64, 128, 256, 512], out_channels=32)
    cfg.rpn_head.update(in_channels=32, feat_channels=32)
    cfg.roi_head.bbox_roi_extractor.out_channels = 32
    cfg.roi_head.bbox_head.update(in_channels=32, fc_out_channels=64, num_classes=80)
    return MODELS.build(cfg)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=1)
    parser.add_argument('--rois-per-image', type=int, default=32)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    register_all_modules()
    teacher, student = tiny_faster_rcnn(34).eval(), tiny_faster_rcnn(18).train()
    teacher.requires_grad_(False)
    images = torch.rand(2, 3, 128, 128)
    corners = torch.rand(2, args.rois_per_image, 2, 2).mul(128).sort(dim=2).values
    boxes = [c.flatten(1) + torch.tensor([0., 0., 4., 4.]) for c in corners]  # x1 y1 x2 y2
    rois = bbox2roi(boxes)  # (N, 5): image index, x1, y1, x2, y2

    with torch.no_grad():
        teacher_logits = teacher.roi_head._bbox_forward(teacher.extract_feat(images),
                                                        rois)['cls_score']
    criterion = CKDLoss(loss_weight=1.0, tau=1.0)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9)
    teacher_before = [p.clone() for p in teacher.parameters()]
    n = rois.shape[0]
    print(f'{n} RoIs x {teacher_logits.shape[1]} logits; teacher R-34, student R-18 (random init)')
    print(f'reference: log N = {math.log(n):.4f}; bounds at tau=1 '
          f'[{math.log(1 + (n - 1) * math.exp(-2)):.4f}, {math.log(1 + (n - 1) * math.exp(2)):.4f}]')
    for step in range(args.steps + 1):
        student_logits = student.roi_head._bbox_forward(student.extract_feat(images),
                                                        rois)['cls_score']
        loss = criterion(student_logits, teacher_logits)
        if step == args.steps:
            print(f'step {step}: loss_ckd {loss.item():.4f}')
            break
        optimizer.zero_grad()
        loss.backward()
        grad_norm = torch.cat([p.grad.flatten() for p in student.parameters()
                               if p.grad is not None]).norm()
        print(f'step {step}: loss_ckd {loss.item():.4f}  student grad norm {grad_norm:.3e}')
        optimizer.step()
    unchanged = all(torch.equal(a, b) for a, b in zip(teacher_before, teacher.parameters()))
    print(f'teacher unchanged: {unchanged}')
    if not unchanged:
        raise SystemExit('the teacher changed: CKDLoss let a gradient through')

if __name__ == '__main__':
    main()
