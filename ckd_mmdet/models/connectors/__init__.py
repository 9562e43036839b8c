from .review_kd import ReviewKDConnector

__all__ = ['ReviewKDConnector']
