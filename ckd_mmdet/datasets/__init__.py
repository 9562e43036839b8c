from .errors import DatasetNotFoundError

__all__ = ['DatasetNotFoundError']
