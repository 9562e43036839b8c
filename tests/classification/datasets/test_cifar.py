"""LocalCIFAR100: the official archive's layout, read offline, with errors that say where."""
import tarfile

import numpy as np
import pytest
from helpers import write_cifar100
from mmpretrain.registry import DATASETS

from ckd_mmdet.classification import LocalCIFAR10, LocalCIFAR100
from ckd_mmdet.datasets import DatasetNotFoundError


@pytest.fixture
def no_network(monkeypatch):
    """Any download attempt fails the test."""
    import mmpretrain.datasets.cifar as cifar

    def refuse(*args, **kwargs):
        raise AssertionError('tried to download')
    monkeypatch.setattr(cifar, 'download_and_extract_archive', refuse)


def test_reads_the_archive_layout(tmp_path, no_network):
    write_cifar100(tmp_path, num_train=12, num_test=6)
    train = DATASETS.build(dict(type='LocalCIFAR100', data_root=str(tmp_path), split='train',
                                verify_md5=False, pipeline=[]))
    test = LocalCIFAR100(data_root=str(tmp_path), split='test', verify_md5=False)
    assert (len(train), len(test)) == (12, 6)
    item = train.get_data_info(0)
    assert item['img'].shape == (32, 32, 3) and item['img'].dtype == np.uint8
    assert 0 <= item['gt_label'] < 4
    assert len(train.metainfo['classes']) == 100


@pytest.mark.parametrize('dataset, first_file, archive', [
    (LocalCIFAR100, 'cifar-100-python/train', 'cifar-100-python.tar.gz'),
    (LocalCIFAR10, 'cifar-10-batches-py/data_batch_1', 'cifar-10-python.tar.gz')])
def test_missing_folder_names_paths_and_source(tmp_path, no_network, dataset, first_file,
                                               archive):
    with pytest.raises(DatasetNotFoundError) as error:
        dataset(data_root=str(tmp_path / 'nowhere'), split='train')
    message = str(error.value)
    assert str(tmp_path / 'nowhere' / first_file) in message
    assert archive in message and 'www.cs.toronto.edu' in message
    assert 'nothing is downloaded' in message
    assert 'train_dataloader.dataset.data_root' in message


def test_a_missing_file_is_named(tmp_path, no_network):
    write_cifar100(tmp_path, num_train=4, num_test=4)
    (tmp_path / 'cifar-100-python' / 'meta').unlink()
    with pytest.raises(DatasetNotFoundError, match=r'no file .*cifar-100-python/meta'):
        LocalCIFAR100(data_root=str(tmp_path), split='test', verify_md5=False)


def test_files_are_checked_against_the_official_md5_by_default(tmp_path, no_network):
    write_cifar100(tmp_path, num_train=4, num_test=4)
    with pytest.raises(DatasetNotFoundError,
                       match=r'cifar-100-python/train differs from the official file.*'
                             r'verify_md5=False'):
        LocalCIFAR100(data_root=str(tmp_path), split='train')


def test_the_archive_itself_is_extracted_in_place(tmp_path, no_network):
    source = write_cifar100(tmp_path / 'source', num_train=4, num_test=4)
    root = tmp_path / 'root'
    root.mkdir()
    with tarfile.open(root / 'cifar-100-python.tar.gz', 'w:gz') as archive:
        archive.add(source / 'cifar-100-python', arcname='cifar-100-python')
    dataset = LocalCIFAR100(data_root=str(root), split='train', verify_md5=False)
    assert len(dataset) == 4
    assert (root / 'cifar-100-python' / 'train').is_file()


def test_download_is_not_an_option(tmp_path):
    with pytest.raises(TypeError, match='never downloads'):
        LocalCIFAR100(data_root=str(tmp_path), download=True)
