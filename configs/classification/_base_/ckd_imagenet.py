# CKD on ImageNet-1K (recipe of ./imagenet.py); validation reports the student and the teacher.
_base_ = ['./imagenet.py', './imagenet_models.py', './ckd.py']
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
