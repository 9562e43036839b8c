# CKD on a classifier's logits with MMRazor: SingleTeacherDistill + ConfigurableDistiller.
# The student keeps its own cross-entropy; CKDLoss compares the logits of its linear
# classifier (head.fc) with the teacher's, image by image, over the batch of each GPU.
# Pair configs set architecture, teacher, teacher_ckpt and the loss weight / tau.
model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_ckd=dict(type='CKDLoss', loss_weight=10.0, tau=1.0)),
        loss_forward_mappings=dict(loss_ckd=dict(
            student_logits=dict(from_student=True, recorder='fc'),
            teacher_logits=dict(from_student=False, recorder='fc')))))
