from .ckd_loss import CKDLoss, ckd_loss
from .hcl_loss import HCLLoss, hcl_loss
from .sigmoid_kd_loss import SigmoidKDLoss, sigmoid_kd_loss

__all__ = ['CKDLoss', 'HCLLoss', 'SigmoidKDLoss', 'ckd_loss', 'hcl_loss', 'sigmoid_kd_loss']
