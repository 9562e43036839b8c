from .cifar import DatasetNotFoundError, LocalCIFAR10, LocalCIFAR100

__all__ = ['DatasetNotFoundError', 'LocalCIFAR10', 'LocalCIFAR100']
