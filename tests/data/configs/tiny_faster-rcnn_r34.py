# The tiny teacher: tiny_faster-rcnn_r18.py with an R-34 backbone.
_base_ = './tiny_faster-rcnn_r18.py'

model = dict(backbone=dict(depth=34))
