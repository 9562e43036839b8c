# CKD on CIFAR-100 (recipe of ./cifar100.py); validation reports the student and the teacher.
_base_ = ['./cifar100.py', './cifar100_models.py', './ckd.py']
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
