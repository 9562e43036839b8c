"""ReviewKDConnector against a functional transcription of ReviewKD's ABF chain
(ZhouXinzzzzz/CKD detection/model/reviewkd.py: ABF, ReviewKD.forward), on its own weights."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS

from ckd_mmdet import ReviewKDConnector


def batch_norm(x, bn):
    return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False)


def reference(connector, feats):
    """ReviewKD.forward with ABF written out: coarsest level first, each finer level fused
    with the coarser level's residual by two sigmoid attention maps."""
    results, residual = [], None
    for level in reversed(range(len(feats))):
        abf = connector.fusions[level]
        x = batch_norm(F.conv2d(feats[level], abf.reduce[0].weight), abf.reduce[1])
        if residual is not None:
            n, _, h, w = x.shape
            y = F.interpolate(residual, (h, w), mode='nearest')
            z = torch.sigmoid(F.conv2d(torch.cat([x, y], 1), abf.attention[0].weight,
                                       abf.attention[0].bias))
            x = x * z[:, 0].view(n, 1, h, w) + y * z[:, 1].view(n, 1, h, w)
        out = batch_norm(F.conv2d(x, abf.expand[0].weight, padding=1), abf.expand[1])
        results.insert(0, out)
        residual = x
    return results


def pyramid(channels, size=32, batch=2, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, c, size >> i, (size + 8) >> i, generator=generator)
            for i, c in enumerate(channels)]


def randomise_norms(connector):
    generator = torch.Generator().manual_seed(3)
    for module in connector.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            for tensor in (module.weight, module.bias, module.running_mean):
                tensor.data = torch.randn(tensor.shape, generator=generator)
            module.running_var.data = torch.rand(module.running_var.shape,
                                                 generator=generator) + 0.5


def test_matches_the_reference_chain():
    connector = ReviewKDConnector([8, 8, 16, 16, 16], [12, 12, 12, 24, 24], mid_channels=6)
    randomise_norms(connector)
    connector.eval()  # running statistics: the reference uses them too
    feats = pyramid([8, 8, 16, 16, 16])
    outputs = connector(feats)
    assert [tuple(o.shape) for o in outputs] == [
        (2, c, f.shape[2], f.shape[3]) for c, f in zip([12, 12, 12, 24, 24], feats)]
    for ours, theirs in zip(outputs, reference(connector, feats)):
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_information_flows_from_coarse_to_fine_only():
    connector = ReviewKDConnector([4] * 3, [4] * 3, mid_channels=4).eval()
    feats = pyramid([4] * 3)
    before = connector(feats)
    finest_changed = connector([feats[0] + 1, *feats[1:]])
    coarsest_changed = connector([*feats[:2], feats[2] + 1])
    assert torch.equal(finest_changed[2], before[2]) and torch.equal(finest_changed[1],
                                                                     before[1])
    assert not torch.equal(coarsest_changed[0], before[0])  # through the fused residuals


def test_only_the_coarsest_level_has_no_attention():
    connector = MODELS.build(dict(_scope_='mmdet', type='ReviewKDConnector',
                                  in_channels=[4] * 5, out_channels=[8] * 5))
    assert [f.attention is None for f in connector.fusions] == [False] * 4 + [True]
    assert connector.fusions[0].reduce[0].out_channels == 256  # ReviewKD's mid for detection


def test_level_count_mismatch_is_refused():
    with pytest.raises(ValueError, match=r'in_channels \[4, 4\] \(student\) and out_channels '
                                         r'\[4, 4, 4\] \(teacher\)'):
        ReviewKDConnector([4, 4], [4, 4, 4])
    connector = ReviewKDConnector([4, 4], [4, 4])
    with pytest.raises(ValueError, match='built for 2 levels, got 3'):
        connector(pyramid([4, 4, 4]))


def test_conv_connector_maps_each_level_with_its_own_1x1_conv():
    connector = MODELS.build(dict(_scope_='mmdet', type='ConvConnector', in_channels=[4, 8],
                                  out_channels=[16, 16]))
    feats = pyramid([4, 8])
    outputs = connector(feats)
    for conv, level, out in zip(connector.convs, feats, outputs):
        torch.testing.assert_close(out, F.conv2d(level, conv.weight, conv.bias))
    with pytest.raises(ValueError, match=r'in_channels \[4\] \(student\) and out_channels '
                                         r'\[4, 4\] \(teacher\)'):
        MODELS.build(dict(_scope_='mmdet', type='ConvConnector', in_channels=[4],
                          out_channels=[4, 4]))
