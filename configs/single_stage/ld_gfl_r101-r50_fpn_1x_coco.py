# Second baseline for ckd_gfl_r101-r50_fpn_1x_coco.py: mmdet's own Localization Distillation
# (KnowledgeDistillationSingleStageDetector + LDHead, mmdet::ld/ld_r50-gflv1-r101_fpn_1x_coco.py,
# reported box AP 41.0) with the same teacher checkpoint and schedule. It distils the box
# distributions, not the class scores, and keeps the teacher inside the model (its checkpoints
# hold teacher keys: test them with this config, not the plain student's).
# Run:     bash tools/dist_train.sh configs/single_stage/ld_gfl_r101-r50_fpn_1x_coco.py 8
_base_ = ['mmdet::ld/ld_r50-gflv1-r101_fpn_1x_coco.py', '../_base_/ckd_runtime.py']

model = dict(teacher_config='{{ fileDirname }}/../_base_/teachers/gfl_r101_fpn_ms-2x_coco.py')
