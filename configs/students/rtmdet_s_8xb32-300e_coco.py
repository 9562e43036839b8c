# Student baseline, COCO 2017: mmdet's RTMDet-S trained alone (reported box AP 44.5), the
# student of ../single_stage/{ckd,kd}_rtmdet_l-s_8xb32-300e_coco.py.
# Schedule: 300 epochs, 8 GPUs x 32 images, AdamW lr 0.004, mosaic/mixup then the last 20
#           epochs without (PipelineSwitchHook), EMA, as mmdet's config.
# Run:      bash tools/dist_train.sh configs/students/rtmdet_s_8xb32-300e_coco.py 8
# ../_base_/ckd_runtime.py is not a base here: mmengine refuses two bases that both set
# custom_hooks, so its two lines are repeated here with RTMDet's own hooks kept
# (tests/configs/test_shipped_configs.py checks that they stay the same).
_base_ = ['mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py']

custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)
custom_hooks = [*_base_.custom_hooks, dict(type='ResumeRandomStateHook'),
                dict(type='DropDistillationKeysHook'), dict(type='TeacherClassesHook')]
