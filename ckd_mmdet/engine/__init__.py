from .distillation_keys import DropDistillationKeysHook
from .hooks import ResumeRandomStateHook

__all__ = ['DropDistillationKeysHook', 'ResumeRandomStateHook']
