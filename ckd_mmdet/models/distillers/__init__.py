from .dense_heads import DenseHeadAdapter, adapter_for, prior_rows, register_adapter
from .feature_distillation import FeatureDistillation
from .frozen_teacher import FrozenTeacherMixin
from .prior_selection import PriorSelection
from .query_distiller import DeformableDETRDistiller, DINODistiller, QueryDistiller
from .single_stage_distiller import SingleStageDistiller
from .two_stage_distiller import TwoStageDistiller

__all__ = ['DINODistiller', 'DeformableDETRDistiller', 'DenseHeadAdapter', 'FeatureDistillation',
           'FrozenTeacherMixin', 'PriorSelection', 'QueryDistiller', 'SingleStageDistiller',
           'TwoStageDistiller', 'adapter_for', 'prior_rows', 'register_adapter']
