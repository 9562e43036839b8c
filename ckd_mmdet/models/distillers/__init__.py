from .feature_distillation import FeatureDistillation
from .frozen_teacher import FrozenTeacherMixin
from .two_stage_distiller import TwoStageDistiller

__all__ = ['FeatureDistillation', 'FrozenTeacherMixin', 'TwoStageDistiller']
