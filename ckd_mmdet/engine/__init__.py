from .distillation_keys import DropDistillationKeysHook
from .hooks import ResumeRandomStateHook
from .teacher_classes import TeacherClassesHook

__all__ = ['DropDistillationKeysHook', 'ResumeRandomStateHook', 'TeacherClassesHook']
