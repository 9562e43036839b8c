from .two_stage_distiller import TwoStageDistiller

__all__ = ['TwoStageDistiller']
