"""The blockwise kernel against the textbook dense form: values and gradients, kept and
streamed exponentials, several blocks, rectangular anchors x candidates with an offset."""
import importlib

import pytest
import torch
import torch.nn.functional as F

from ckd_mmdet.models.losses import CKDLoss, ckd_loss
from ckd_mmdet.models.losses.ckd_loss import dense_contrastive_cross_entropy
from ckd_mmdet.models.losses.contrastive_kernel import blockwise_contrastive_cross_entropy


def logits(n, c, seed, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, c, generator=g, dtype=dtype),
            torch.randn(n, c, generator=g, dtype=dtype))


def dense_reference(student, teacher, tau):
    """The textbook autograd form: normalise, one N x N matrix, cross-entropy."""
    similarity = F.normalize(teacher.detach(), dim=1) @ F.normalize(student, dim=1).t() / tau
    return F.cross_entropy(similarity, torch.arange(len(student)), reduction='none')


@pytest.mark.parametrize('threshold', [0, 10**9])  # streamed / kept exponentials
@pytest.mark.parametrize('n,c,tau', [(1, 3, 1.0), (37, 5, 1.0), (700, 81, 0.5),
                                     (3000, 11, 2.0)])
def test_blockwise_paths_equal_dense_values_and_gradients(threshold, n, c, tau):
    # Blocks hold 32 MiB of exponentials (2**23 floats): 3000 rows take two blocks of both
    # paths, the second shorter (2796 + 204 rows); the smaller cases one block.
    student, teacher = logits(n=n, c=c, seed=n)
    weights = torch.rand(n)
    student.requires_grad_(True)
    got = ckd_loss(student, teacher, tau, streaming_threshold=threshold)
    (got * weights).sum().backward()
    got_grad, student.grad = student.grad, None
    expected = dense_reference(student, teacher, tau)
    (expected * weights).sum().backward()
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(got_grad, student.grad, rtol=0, atol=1e-6)


@pytest.mark.parametrize('streaming', [True, False])
def test_kernel_gradcheck_float64(streaming):
    anchors, candidates = (F.normalize(x, dim=1) for x in logits(9, 4, seed=3,
                                                                 dtype=torch.float64))
    candidates.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda s: blockwise_contrastive_cross_entropy(anchors / 0.7, s, 0, streaming)[0],
        (candidates,))


def test_module_streams_above_its_threshold(monkeypatch):
    kernel = importlib.import_module('ckd_mmdet.models.losses.contrastive_kernel')
    calls = []
    original = kernel._blocks
    monkeypatch.setattr(kernel, '_blocks',
                        lambda *a: calls.append(a[2] is None) or original(*a))  # streams?
    student, teacher = logits(n=20, c=5, seed=0)
    CKDLoss(streaming_threshold=19)(student.requires_grad_(True), teacher).backward()
    assert calls == [True, True]  # forward and the recomputing backward both stream
    calls.clear()
    CKDLoss(streaming_threshold=20)(student, teacher).backward()
    assert calls == [False]  # the backward uses the kept exponentials
    with pytest.raises(ValueError, match='streaming_threshold'):
        CKDLoss(streaming_threshold=-1)


def test_no_exponentials_are_kept_when_no_backward_pass_can_follow(monkeypatch):
    kernel = importlib.import_module('ckd_mmdet.models.losses.contrastive_kernel')
    kept = []
    original = kernel._blocks
    monkeypatch.setattr(kernel, '_blocks', lambda *a: kept.append(a[2] is not None) or
                        original(*a))
    student, teacher = logits(n=20, c=5, seed=0)
    student.requires_grad_(True)
    with torch.no_grad():  # validation, a teacher-only pass
        no_grad = CKDLoss()(student, teacher)
    detached = CKDLoss()(student.detach(), teacher)
    assert kept == [False, False]
    torch.testing.assert_close(no_grad, CKDLoss()(student, teacher), rtol=0, atol=0)
    torch.testing.assert_close(detached, no_grad, rtol=0, atol=0)
    assert kept[-1]  # the training call keeps them for its backward


@pytest.mark.parametrize('streaming', [True, False])
def test_rectangular_contrast_with_offset_equals_dense(streaming):
    anchors, candidates = (F.normalize(x, dim=1) for x in logits(n=40, c=7, seed=5))
    anchors = anchors[10:25]  # 15 anchors whose positives are candidates 10..24
    candidates.requires_grad_(True)
    got, _ = blockwise_contrastive_cross_entropy(anchors / 0.8, candidates, 10, streaming)
    got.sum().backward()
    got_grad, candidates.grad = candidates.grad, None
    expected = dense_contrastive_cross_entropy(anchors, candidates, 0.8, 10)
    expected.sum().backward()
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(got_grad, candidates.grad, rtol=0, atol=1e-6)


@pytest.mark.parametrize('streaming', [True, False])
@pytest.mark.parametrize('block_rows', [5, 10**6])  # positives across blocks / in one
def test_top1_equals_the_dense_argmax(monkeypatch, streaming, block_rows):
    kernel = importlib.import_module('ckd_mmdet.models.losses.contrastive_kernel')
    monkeypatch.setattr(kernel, '_block_rows', lambda *a: block_rows)
    teacher, student = (F.normalize(x, dim=1) for x in logits(n=40, c=3, seed=6))
    student = (student + teacher) / 2  # some rows' positive is their nearest, some not
    anchors = teacher[10:33]  # positives: candidates 10..32, cut by the 5-row blocks
    _, top1 = blockwise_contrastive_cross_entropy(anchors / 0.5, student, 10, streaming)
    expected = (anchors @ student.t()).argmax(dim=1) == torch.arange(10, 33)
    assert 0 < int(expected.sum()) < len(expected)
    assert torch.equal(top1, expected)
    _, dense_top1 = dense_contrastive_cross_entropy(anchors, student, 0.5, 10, with_top1=True)
    assert torch.equal(dense_top1, expected)


def test_top1_counts_ties_and_leaves_twins_out():
    # teacher row 0 is equally close to student rows 0 and 1: a tie counts as top-1
    teacher = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    student = torch.tensor([[1.0, 0.0], [1.0, 0.0], [-1.0, 1.0]])
    _, top1 = ckd_loss(student, teacher, with_top1=True)
    assert top1.tolist() == [True, False, False]
    # rows 1 and 2 as twins: row 1's rival (student row 2) is left out of its softmax,
    # and what remains ties with its own row
    _, top1 = ckd_loss(student, teacher, groups=torch.tensor([0, 1, 1]), with_top1=True)
    assert top1.tolist() == [True, True, False]
    # rows 0 and 1 as twins: row 1's rival is still there
    _, top1 = ckd_loss(student, teacher, groups=torch.tensor([0, 0, 1]), with_top1=True)
    assert top1.tolist() == [True, False, False]
