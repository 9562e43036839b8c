# ImageNet-1K, trained alone: MobileNetV1 (4.2 M parameters), the student of the R50 pair.
# (The teachers ResNet-34/50 come from MMPretrain's model zoo.)
# Recipe: ../_base_/imagenet.py (200 epochs, batch 512, cosine, SGD lr 0.2, wd 1e-4).
# Run:    bash tools/dist_train.sh configs/classification/vanilla/mobilenet-v1_in1k.py 8
_base_ = ['../_base_/imagenet.py', '../_base_/imagenet_models.py']

model = {{_base_.mobilenet_v1}}
