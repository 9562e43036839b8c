# Student baseline, COCO 2017: mmdet's FCOS R-50-caffe-FPN GN-head, multi-scale 640-800, 2x,
# trained alone (reported box AP 38.5), the student of
# ../single_stage/{ckd,kd}_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py.
# Schedule: 24 epochs, 8 GPUs x 2 images, SGD lr 0.01, short side 640-800.
# Run:      bash tools/dist_train.sh \
#               configs/students/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py 8
_base_ = ['mmdet::fcos/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
          '../_base_/ckd_runtime.py']
