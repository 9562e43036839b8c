from .losses import CKDLoss, ckd_loss

__all__ = ['CKDLoss', 'ckd_loss']
