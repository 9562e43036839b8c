# CKD, CIFAR-100: VGG-13 teacher -> VGG-8 student (both with BN).
#
# Teacher: checkpoints/cifar100/vgg13.pth: mdistiller's released CIFAR teacher
#          (cifar_teachers.tar) converted with tools/convert_cifar_teacher.py, or trained
#          here: python tools/train.py configs/classification/vanilla/vgg13_cifar100.py
# Loss:    CE + 100.0 * CKD(student head.fc logits, teacher head.fc logits), tau = 1.0, over
#          the batch (ZhouXinzzzzz/CKD configs/cifar100/ckd/vgg13_vgg8.yaml).
# Recipe:  480 epochs, batch 64 on 1 GPU, SGD lr 0.05 momentum 0.9, wd 5e-4, cosine to 0.
# Run:     python tools/train.py configs/classification/ckd_vgg13-vgg8_cifar100.py
#          python tools/extract_student.py \
#              work_dirs/ckd_vgg13-vgg8_cifar100/epoch_480.pth student.pth
#          python tools/test.py configs/classification/vanilla/vgg8_cifar100.py student.pth
_base_ = ['./_base_/ckd_cifar100.py']

model = dict(
    architecture={{_base_.vgg8}},
    teacher={{_base_.vgg13}},
    teacher_ckpt='checkpoints/cifar100/vgg13.pth',
    distiller=dict(distill_losses=dict(loss_ckd=dict(loss_weight=100.0, tau=1.0))))
