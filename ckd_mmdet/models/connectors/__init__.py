from .conv import ConvConnector
from .review_kd import ReviewKDConnector

__all__ = ['ConvConnector', 'ReviewKDConnector']
