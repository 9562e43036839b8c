# The DINO demo teacher: DINO with the half-width ResNet-34 (base 32, stages 2-4 into the same
# 256-channel ChannelMapper), 3 encoder layers, FFN 1024, and the student's decoder depth (3)
# and 100 queries (dino_r18-narrow_shapes.py), so decoder_layers='all' pairs layer by layer and
# the teacher has a content query for each of the student's queries; trained from scratch.
_base_ = './dino_r18-narrow_shapes.py'

model = dict(
    backbone=dict(depth=34, base_channels=32),
    neck=dict(in_channels=[64, 128, 256]),
    encoder=dict(num_layers=3, layer_cfg=dict(ffn_cfg=dict(feedforward_channels=1024))),
    decoder=dict(layer_cfg=dict(ffn_cfg=dict(feedforward_channels=1024))))
