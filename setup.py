"""ckd_mmdet: Contrastive Knowledge Distillation (arXiv 2404.14109) for MMDetection.

torch and mmcv are deliberately not install requirements: pip would resolve an unpinned torch
(too new for mmcv 2.1.0) and build mmcv in an isolated environment without its ops. Install
them first with ``tools/setup_env.sh`` (``make test`` does), then this package.
"""
from pathlib import Path

from setuptools import find_packages, setup


def requirements(name):
    lines = Path(__file__).with_name('requirements').joinpath(name).read_text().splitlines()
    return [line.split('#')[0].strip() for line in lines if line.split('#')[0].strip()]


setup(
    name='ckd_mmdet',
    version='0.1.0',
    description='Contrastive Knowledge Distillation (CKD) for MMDetection',
    long_description=Path(__file__).with_name('README.md').read_text(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(include=['ckd_mmdet', 'ckd_mmdet.*']),
    install_requires=requirements('runtime.txt'),
    extras_require={'tests': requirements('tests.txt'),
                    # MMEngine's TensorboardVisBackend (docs/detection.md)
                    'tensorboard': ['tensorboard']},
)
