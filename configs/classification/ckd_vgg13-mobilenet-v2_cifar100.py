# CKD, CIFAR-100: VGG-13 teacher -> MobileNetV2 x0.5 student.
#
# Teacher: checkpoints/cifar100/vgg13.pth: mdistiller's released CIFAR teacher
#          (cifar_teachers.tar) converted with tools/convert_cifar_teacher.py, or trained
#          here: python tools/train.py configs/classification/vanilla/vgg13_cifar100.py
# Loss:    CE + 50.0 * CKD(student head.fc logits, teacher head.fc logits), tau = 2.0, over
#          the batch (ZhouXinzzzzz/CKD configs/cifar100/ckd/vgg13_mv2.yaml).
# Recipe:  480 epochs, batch 32 on 1 GPU, SGD lr 0.01 momentum 0.9, wd 5e-4, cosine to 0.
# Run:     python tools/train.py configs/classification/ckd_vgg13-mobilenet-v2_cifar100.py
#          python tools/extract_student.py \
#              work_dirs/ckd_vgg13-mobilenet-v2_cifar100/epoch_480.pth student.pth
#          python tools/test.py configs/classification/vanilla/mobilenet-v2_cifar100.py student.pth
_base_ = ['./_base_/ckd_cifar100.py']

model = dict(
    architecture={{_base_.mobilenet_v2}},
    teacher={{_base_.vgg13}},
    teacher_ckpt='checkpoints/cifar100/vgg13.pth',
    distiller=dict(distill_losses=dict(loss_ckd=dict(loss_weight=50.0, tau=2.0))))
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=32)
