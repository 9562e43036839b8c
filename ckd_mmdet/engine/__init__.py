from .hooks import ResumeRandomStateHook

__all__ = ['ResumeRandomStateHook']
