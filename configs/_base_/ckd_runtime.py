# What every ckd_mmdet config adds to its MMDetection / MMPretrain bases, in the config itself
# so that MMDetection's own tools/train.py (and `mim train mmdet`) give the same run as ours:
# - the package (bridges, CKDLoss, the distillers) through custom_imports;
# - ResumeRandomStateHook: a resumed run continues torch's random stream where the checkpoint
#   left it (the RPN and RoI samplers draw from it), so it ends as the uninterrupted run would;
# - DropDistillationKeysHook: a plain student config loads a distillation checkpoint (with a
#   feature connector) with one log line instead of a warning per connector tensor;
# - TeacherClassesHook: a distillation whose teacher checkpoint names other classes, or the
#   same in another order, than the training set stops before the first iteration.
# configs/students/rtmdet_s_8xb32-300e_coco.py repeats these lines (see its header).
custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)
custom_hooks = [dict(type='ResumeRandomStateHook'), dict(type='DropDistillationKeysHook'),
                dict(type='TeacherClassesHook')]
