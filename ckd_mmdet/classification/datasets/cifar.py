# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""CIFAR-10/100 from a local copy of the official python archive, never downloaded.

MMPretrain's ``CIFAR100`` downloads when its files are missing (``download=True``) and
otherwise says "Cannot find CIFAR100 dataset ... specify download=True", also when a file is
there but differs from the official one. These subclasses read the same files the same way,
but: nothing is fetched at run time; ``cifar-100-python.tar.gz`` lying in ``data_root`` is
extracted in place; and a missing or altered file raises one ``DatasetNotFoundError`` naming
the paths and where the archive comes from.
"""
import os.path as osp
import tarfile

from mmengine import dist
from mmpretrain.datasets import CIFAR10, CIFAR100
from mmpretrain.datasets.utils import check_md5
from mmpretrain.registry import DATASETS

from ...datasets.errors import DatasetNotFoundError


class _LocalCIFARMixin:

    def __init__(self, data_root='', split='train', verify_md5=True, **kwargs):
        if 'download' in kwargs:
            raise TypeError(f'{type(self).__name__} never downloads; drop "download" and put '
                            f'{self.filename} (or its extracted folder) in data_root')
        self.verify_md5 = verify_md5
        if not verify_md5:
            self.meta = dict(self.meta, md5=None)
        super().__init__(data_root=data_root, split=split, download=False, **kwargs)

    def load_data_list(self):
        root = self.data_prefix['root']
        folder = osp.join(root, self.base_folder)
        archive = osp.join(root, self.filename)
        if not osp.isdir(folder) and osp.isfile(archive):
            if dist.is_main_process():  # one process extracts, the others wait for it
                with tarfile.open(archive) as tar:
                    # the 'data' filter refuses absolute paths and links out of root (3.11.4+)
                    safe = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
                    tar.extractall(root, **safe)
            dist.barrier()
        problems = self._file_problems()
        if problems:
            raise DatasetNotFoundError(
                f'{type(self).__name__}: ' + '; '.join(problems) + f'. Expected the official '
                f'python archive extracted in data_root={root!r}: {folder}/ with '
                f'{", ".join(name for name, _ in self._files())}. Get {self.filename} from '
                f'{self.url} (md5 {self.tgz_md5}) and put it or its extracted folder there '
                '(nothing is downloaded at run time), or point the config at it: '
                '--cfg-options train_dataloader.dataset.data_root=DIR '
                'val_dataloader.dataset.data_root=DIR test_dataloader.dataset.data_root=DIR')
        return super().load_data_list()

    def _files(self):
        return self.train_list + self.test_list + [[self.meta['filename'], self.meta['md5']]]

    def _file_problems(self):
        root = osp.join(self.data_prefix['root'], self.base_folder)
        problems = []
        for name, md5 in self._files():
            path = osp.join(root, name)
            if not osp.isfile(path):
                problems.append(f'no file {path}')
            elif self.verify_md5 and md5 and not check_md5(path, md5):
                problems.append(f'{path} differs from the official file (md5 {md5}; '
                                'verify_md5=False accepts a re-made copy)')
        return problems

    def _check_integrity(self):
        # Only MMPretrain's load_data_list asks, twice, after ours has checked every file (and
        # md5) and raised on any problem: hashing the 180 MB again would only repeat that.
        return True


@DATASETS.register_module()
class LocalCIFAR10(_LocalCIFARMixin, CIFAR10):
    """MMPretrain's ``CIFAR10`` read from ``data_root/cifar-10-batches-py`` only.

    Args:
        data_root (str): folder holding ``cifar-10-batches-py/`` (or the .tar.gz).
        split (str): 'train' or 'test'.
        verify_md5 (bool): compare every file with the official md5. Defaults to True.
        **kwargs: the rest of MMPretrain's ``CIFAR10`` arguments (``pipeline``, ...).
    """


@DATASETS.register_module()
class LocalCIFAR100(_LocalCIFARMixin, CIFAR100):
    """MMPretrain's ``CIFAR100`` read from ``data_root/cifar-100-python`` only.

    Args:
        data_root (str): folder holding ``cifar-100-python/`` (or the .tar.gz).
        split (str): 'train' or 'test'.
        verify_md5 (bool): compare every file with the official md5. Defaults to True.
        **kwargs: the rest of MMPretrain's ``CIFAR100`` arguments (``pipeline``, ...).
    """
