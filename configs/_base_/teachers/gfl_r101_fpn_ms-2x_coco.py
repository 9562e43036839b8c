# mmdet's GFL R-101-FPN ms-2x as a config *file*: mmdet's LD detector
# (KnowledgeDistillationSingleStageDetector) reads teacher_config with Config.fromfile, which
# does not take mmdet:: names. Used by ../../single_stage/ld_gfl_r101-r50_fpn_1x_coco.py.
_base_ = 'mmdet::gfl/gfl_r101_fpn_ms-2x_coco.py'
