from .ckd_loss import CKDLoss, ckd_loss
from .hcl_loss import HCLLoss, hcl_loss

__all__ = ['CKDLoss', 'HCLLoss', 'ckd_loss', 'hcl_loss']
