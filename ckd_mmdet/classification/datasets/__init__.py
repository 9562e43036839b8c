from .cifar import LocalCIFAR10, LocalCIFAR100

__all__ = ['LocalCIFAR10', 'LocalCIFAR100']
