from .frozen_teacher import FrozenTeacherMixin
from .two_stage_distiller import TwoStageDistiller

__all__ = ['FrozenTeacherMixin', 'TwoStageDistiller']
