from .ckd_loss import CKDLoss, ckd_loss

__all__ = ['CKDLoss', 'ckd_loss']
