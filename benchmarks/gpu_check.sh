#!/usr/bin/env bash
# Both benchmarks at real scale on one GPU, one file: about 4 min on an H200 (limits below).
#
#   bash benchmarks/gpu_check.sh [WHEELS_DIR] [OUTPUT_FILE]
#
# Runs with the Python of $PYTHON (default python3) from an environment that has the stack
# with mmcv's CUDA ops (e.g. the project's venv on a GPU machine: PYTHON=.venv/bin/python).
# WHEELS_DIR, optional, is for a machine without the stack: a folder of wheels built for it
# (mmcv with CUDA ops for its torch, mmengine, mmdet, ...), installed into a temporary folder
# for this run only, never into the machine's Python. OUTPUT_FILE defaults to
# $OUT/gpu_check.txt when $OUT is set, else benchmarks/results/gpu_check.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
WHEELS=${1:-}
RESULT=${2:-${OUT:-benchmarks/results}/gpu_check.txt}
PY=${PYTHON:-python3}
mkdir -p "$(dirname "$RESULT")"
exec > >(tee "$RESULT") 2>&1

echo "# gpu_check $(date -u '+%F %T') on $(hostname)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
if [ -n "$WHEELS" ]; then
    STACK=$(mktemp -d)
    trap 'rm -rf "$STACK"' EXIT
    $PY -m pip install --quiet --no-index --no-deps --target "$STACK" "$WHEELS"/*.whl \
        || { echo "could not install the wheels of $WHEELS"; exit 1; }
    export PYTHONPATH="$STACK${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # ckd_mmdet from this checkout
$PY -c 'import mmdet, mmcv.ops, ckd_mmdet' \
    || { echo "$PY cannot import mmdet, mmcv.ops and ckd_mmdet: set PYTHON or give WHEELS_DIR"; exit 1; }

echo; echo "## mmcv CUDA ops against their CPU results"
timeout 60 $PY - <<'PY' || exit 1
import torch
from mmcv.ops import RoIAlign, nms
boxes = torch.rand(500, 4) * 200
boxes[:, 2:] += boxes[:, :2]
scores = torch.rand(500)
cpu = nms(boxes, scores, 0.5)[1]
gpu = nms(boxes.cuda(), scores.cuda(), 0.5)[1].cpu()
assert torch.equal(cpu, gpu), 'nms differs between CPU and CUDA'
features = torch.randn(2, 16, 50, 50)
rois = torch.cat([torch.randint(2, (64, 1)).float(), boxes[:64] / 4], 1)
align = RoIAlign((7, 7), 1.0, 0)
diff = (align(features, rois) - align(features.cuda(), rois.cuda()).cpu()).abs().max().item()
assert diff < 1e-4, f'RoIAlign differs between CPU and CUDA by {diff}'
print(f'nms identical, RoIAlign max diff {diff:.1e}: CUDA ops fit')
PY

echo; echo "## bench_step, DETR (DINO Swin-L -> R-50, 2 images of 1333x800)"
timeout 120 $PY -W ignore benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2 \
    --repeats 10 --config configs/detr/ckd_dino_swin-l-r50_8xb2-12e_coco.py
echo; echo "## bench_step, DETR (two-stage Deformable DETR R-50 -> R-18, 2 images of 1333x800)"
timeout 120 $PY -W ignore benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2 \
    --repeats 10 --config configs/detr/ckd_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py
echo; echo "## bench_step (R-101 -> R-18, 2 images of 1333x800)"
timeout 120 $PY -W ignore benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2 \
    --repeats 10 --variants fp32 fp32+channels_last fp16 bf16 fp16+channels_last
echo; echo "## bench_step, ReviewCKD (R-101 -> R-18 with ReviewKD's connector, 2 images of 1333x800)"
timeout 120 $PY -W ignore benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2 \
    --repeats 10 --variants fp32 \
    --config configs/reviewckd/reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py
echo; echo "## bench_step, single-stage (GFL R-101 -> R-50, 2 images of 1333x800, all priors too)"
timeout 120 $PY -W ignore benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2 \
    --repeats 10 --config configs/single_stage/ckd_gfl_r101-r50_fpn_1x_coco.py
echo; echo "## bench_loss (N up to 65536)"
timeout 150 $PY -W ignore benchmarks/bench_loss.py --device cuda --sizes 2048 8192 32768 \
    --classes 81 1001 --repeats 10 --large 65536
