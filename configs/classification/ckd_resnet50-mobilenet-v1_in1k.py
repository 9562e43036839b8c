# CKD, ImageNet-1K: ResNet-50 teacher -> MobileNetV1 student.
#
# Teacher: MMPretrain's model-zoo ResNet-50 (top-1 76.55; the paper's torchvision teacher has
#          76.13), downloaded once into the torch hub cache on first use.
# Student: MobileNetV1 (ckd_mmdet's, the OFD/ReviewKD/mdistiller layout) from scratch.
# Loss:    CE + 10 * CKD(student head.fc logits, teacher head.fc logits), tau = 1, over the
#          batch of each GPU (ZhouXinzzzzz/CKD configs/imagenet/r50_mv1/ckd.yaml).
#          The official trainer wraps the model in nn.DataParallel, so its loss covers the
#          images of one replica: all 512 on one GPU (what its run comment uses), 512 / k on k.
#          Here each GPU contrasts its 64; to contrast with all 512, as one GPU would, add
#          --cfg-options model.distiller.distill_losses.loss_ckd.gather_negatives=True
# Recipe:  200 epochs, batch 512 (8 GPUs x 64), SGD lr 0.2 momentum 0.9, wd 1e-4, cosine to 0.
# Run:     bash tools/dist_train.sh configs/classification/ckd_resnet50-mobilenet-v1_in1k.py 8
#          python tools/extract_student.py \
#              work_dirs/ckd_resnet50-mobilenet-v1_in1k/epoch_200.pth student.pth
#          bash tools/dist_test.sh configs/classification/vanilla/mobilenet-v1_in1k.py \
#              student.pth 8
_base_ = ['./_base_/ckd_imagenet.py']

model = dict(
    architecture={{_base_.mobilenet_v1}},
    teacher={{_base_.resnet50}},
    teacher_ckpt={{_base_.resnet50_ckpt}},
    distiller=dict(distill_losses=dict(loss_ckd=dict(loss_weight=10.0, tau=1.0))))
