# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Reading what the student computed anyway (sampled RoIs, head outputs, targets) instead of
computing it twice."""
import functools
import inspect
from contextlib import contextmanager


@contextmanager
def recording(module, method_name):
    """Records the arguments (by name) and the ``result`` of the last call of one method of
    ``module``, on the instance, and every call's in order under ``'calls'``; afterwards the
    instance is as it was (an attribute already set on it, e.g. a user's patch, is put
    back). Recordings nest: an outer one (a user's, a diagnostic's) still sees the names."""
    record = {'calls': []}
    method = getattr(module, method_name)
    own = vars(module).get(method_name)

    @functools.wraps(method)  # inspect.signature() of it is the method's
    def recorded(*args, **kwargs):
        result = method(*args, **kwargs)
        call = dict(inspect.signature(method).bind(*args, **kwargs).arguments, result=result)
        record.update(call)
        record['calls'].append(call)
        return result

    setattr(module, method_name, recorded)
    try:
        yield record
    finally:
        if own is None:
            delattr(module, method_name)
        else:
            setattr(module, method_name, own)
