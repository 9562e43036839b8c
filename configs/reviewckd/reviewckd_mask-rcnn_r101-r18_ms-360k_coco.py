# ReviewCKD, COCO 2017 instance segmentation: Mask R-CNN R-101-FPN teacher -> Mask R-CNN R-18-FPN
# student,
# the CKD authors' detection recipe (ZhouXinzzzzz/CKD
# detection/configs/CKD/ReviewCKD-R18-R101-Mask.yaml).
#
# Teacher: mmdet model zoo mask-rcnn_r101_fpn_ms-poly-3x_coco, reported box AP 42.7, mask AP 38.5.
#          Official: a Detectron2-format teacher in WEIGHTS pretrained/*.pth (not released).
# Student: ../students/mask-rcnn_r18_fpn_ms-360k_coco.py (ImageNet-initialised).
# Loss:    detection and mask losses
#          + 0.1 * CKD(student RoI cls_score, teacher RoI cls_score), tau 1, on the student's
#            512 sampled RoIs per image, all images of a GPU together (detection/model/rcnn.py
#            ckd_loss, KD.CKD in detection/model/config.py)
#          + 0.8 * HCL(ReviewKD ABF connector(student p2-p6), teacher p2-p6), mid 256
#            (detection/model/reviewkd.py; REVIEWKD.LOSS_WEIGHT 0.8 in the yaml).
#          One teacher forward gives both the RoI logits and the FPN maps, as in rcnn.py.
# Schedule: as the yaml: 2 GPUs x 4 images (IMS_PER_BATCH 8), SGD lr 0.01, 360k
#          iterations, steps 240k/320k, multi-scale 640-800 (../_base_/official_ms-360k_*.py).
#          CKD contrasts the RoIs of one GPU's 4 images: on more GPUs keep 4 per GPU
#          and add --auto-scale-lr (base batch 8).
# Differs: mmdet's ResNets train BN affine parameters (Detectron2: FrozenBN); mmdet zoo teacher
#          and ImageNet weights; mmdet's RPN/RoI samplers. Not yet trained to the end here: no
#          COCO number of ours to compare with the paper's.
# Run:     bash tools/dist_train.sh \
#              configs/reviewckd/reviewckd_mask-rcnn_r101-r18_ms-360k_coco.py 2
#          bash tools/dist_test.sh configs/students/mask-rcnn_r18_fpn_ms-360k_coco.py \
#              work_dirs/reviewckd_mask-rcnn_r101-r18_ms-360k_coco/iter_360000.pth 2
#          (the plain student config skips the connector's keys; or test with this config)
_base_ = '../students/mask-rcnn_r18_fpn_ms-360k_coco.py'

model = dict(
    type='TwoStageDistiller',
    teacher_config='mmdet::mask_rcnn/mask-rcnn_r101_fpn_ms-poly-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/mask_rcnn/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco_20210524_200244-5675c317.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0),
    feature_distill=dict(
        connector=dict(type='ReviewKDConnector', mid_channels=256),
        loss=dict(type='HCLLoss', loss_weight=0.8)))
