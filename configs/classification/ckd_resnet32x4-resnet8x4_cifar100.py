# CKD, CIFAR-100: resnet32x4 teacher -> resnet8x4 student (CRD nets).
#
# Teacher: checkpoints/cifar100/resnet32x4.pth: mdistiller's released CIFAR teacher
#          (cifar_teachers.tar) converted with tools/convert_cifar_teacher.py, or trained
#          here: python tools/train.py configs/classification/vanilla/resnet32x4_cifar100.py
# Loss:    CE + 100.0 * CKD(student head.fc logits, teacher head.fc logits), tau = 1.0, over
#          the batch (ZhouXinzzzzz/CKD configs/cifar100/ckd/res32x4_res8x4.yaml).
# Recipe:  480 epochs, batch 64 on 1 GPU, SGD lr 0.05 momentum 0.9, wd 5e-4, cosine to 0.
# Run:     python tools/train.py configs/classification/ckd_resnet32x4-resnet8x4_cifar100.py
#          python tools/extract_student.py \
#              work_dirs/ckd_resnet32x4-resnet8x4_cifar100/epoch_480.pth student.pth
#          python tools/test.py configs/classification/vanilla/resnet8x4_cifar100.py student.pth
_base_ = ['./_base_/ckd_cifar100.py']

model = dict(
    architecture={{_base_.resnet8x4}},
    teacher={{_base_.resnet32x4}},
    teacher_ckpt='checkpoints/cifar100/resnet32x4.pth',
    distiller=dict(distill_losses=dict(loss_ckd=dict(loss_weight=100.0, tau=1.0))))
