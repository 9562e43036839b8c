# CKD, ImageNet-1K: ResNet-34 teacher -> ResNet-18 student (MMPretrain's ResNets).
#
# Teacher: MMPretrain's model-zoo ResNet-34 (top-1 73.62; the paper's torchvision teacher has
#          73.31), downloaded once into the torch hub cache on first use.
# Student: ResNet-18 from scratch.
# Loss:    CE + 10 * CKD(student head.fc logits, teacher head.fc logits), tau = 1, over the
#          batch of each GPU (ZhouXinzzzzz/CKD configs/imagenet/r34_r18/ckd.yaml).
#          The official trainer wraps the model in nn.DataParallel, so its loss covers the
#          images of one replica: all 512 on one GPU (what its run comment uses), 512 / k on k.
#          Here each GPU contrasts its 64; to contrast with all 512, as one GPU would, add
#          --cfg-options model.distiller.distill_losses.loss_ckd.gather_negatives=True
# Recipe:  200 epochs, batch 512 (8 GPUs x 64), SGD lr 0.2 momentum 0.9, wd 1e-4, cosine to 0.
# Run:     bash tools/dist_train.sh configs/classification/ckd_resnet34-resnet18_in1k.py 8
#          python tools/extract_student.py \
#              work_dirs/ckd_resnet34-resnet18_in1k/epoch_200.pth student.pth
#          bash tools/dist_test.sh configs/classification/vanilla/resnet18_in1k.py student.pth 8
_base_ = ['./_base_/ckd_imagenet.py']

model = dict(
    architecture={{_base_.resnet18}},
    teacher={{_base_.resnet34}},
    teacher_ckpt={{_base_.resnet34_ckpt}},
    distiller=dict(distill_losses=dict(loss_ckd=dict(loss_weight=10.0, tau=1.0))))
