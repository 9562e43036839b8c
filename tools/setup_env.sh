#!/usr/bin/env bash
# Create or update the project's virtual environment with the pinned OpenMMLab stack.
#
# The order matters (see README, "Pinned versions"):
#   1. torch + torchvision ($TORCH_SPEC) with setuptools<81, wheel, ninja;
#   2. mmcv compiled with its C++ ops against that torch (--no-build-isolation: in an isolated
#      build mmcv cannot import torch and silently ships without ops), then verified;
#   3. mmengine, mmdet, mmrazor, mmpretrain, ... with torch and mmcv held where they are;
#   4. ckd_mmdet itself, editable, without letting pip resolve anything.
# A stamp in the venv records what it was built from, so a second run returns in a second.
#
# Variables: VENV (.venv), PYTHON (python3), TORCH_SPEC, MAX_JOBS (cores used by the mmcv
# compile), PIP_FIND_LINKS (extra wheel folders, e.g. one holding a prebuilt mmcv wheel).
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
# Arbitrary equality (===) matches only the plain "2.13.0" release, never a local "+cpu"
# build some machines keep in a find-links folder; beside that build PyPI's torchvision
# fails at import ("operator torchvision::nms does not exist").
TORCH_SPEC=${TORCH_SPEC:-"torch===2.13.0 torchvision==0.28.0"}
stamp="$VENV/.ckd_mmdet-setup"

log() { printf '[setup_env %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

fingerprint() {
    {
        echo "$TORCH_SPEC"
        "$PYTHON" -c 'import sys; print(sys.version)'
        cat "$0" setup.py requirements/*.txt
    } | sha256sum | cut -d' ' -f1
}

want=$(fingerprint)
if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
py="$VENV/bin/python"
pip=("$py" -m pip install --progress-bar off)

log "phase 1/4: $TORCH_SPEC + build tools"
# shellcheck disable=SC2086  # TORCH_SPEC is a list of requirement specifiers
"${pip[@]}" $TORCH_SPEC -r requirements/build.txt
# Everything after this point must leave the chosen torch alone.
pins="$VENV/torch-pins.txt"
"$py" -m pip freeze | grep -Ei '^(torch|torchvision)==' > "$pins"
log "holding $(tr '\n' ' ' < "$pins")"

mmcv_has_ops() {
    "$py" -c 'from mmcv.ops import RoIAlign, nms' >/dev/null 2>&1
}

if mmcv_has_ops; then
    log "phase 2/4: mmcv with compiled ops already present"
else
    log "phase 2/4: mmcv 2.1.0 with ops (compiling takes 7-10 min on 2 cores unless a built wheel is found)"
    # Setting CFLAGS replaces Python's defaults, hence -O3 -DNDEBUG here; -g0 halves the time.
    build_env=(env MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
               CFLAGS="${CFLAGS:--Wsign-compare -DNDEBUG -fwrapv -O3 -Wall -g0}")
    "${build_env[@]}" "${pip[@]}" --no-build-isolation -r requirements/mmcv.txt \
        -c "$pins" -c requirements/runtime.txt
    if ! mmcv_has_ops; then
        # A wheel built without ops (isolated build) or against another torch sits in pip's
        # cache and is handed back forever: throw it away and compile from source.
        log "mmcv is installed but its ops do not load; rebuilding from source without the cache"
        "$py" -m pip uninstall -y mmcv
        "$py" -m pip cache remove mmcv >/dev/null 2>&1 || true
        "${build_env[@]}" "${pip[@]}" --no-build-isolation --no-cache-dir --no-binary mmcv \
            -r requirements/mmcv.txt -c "$pins" -c requirements/runtime.txt
    fi
    if ! mmcv_has_ops; then
        "$py" -c 'from mmcv.ops import RoIAlign, nms' || true
        log "ERROR: mmcv.ops still has no compiled ops (see the import error above)."
        log "Check that a C++17 compiler is installed and that torch imports in $VENV."
        exit 1
    fi
fi

log "phase 3/4: OpenMMLab stack and test tools"
"${pip[@]}" -r requirements/runtime.txt -r requirements/tests.txt \
    -c "$pins" -c requirements/mmcv.txt

log "phase 4/4: ckd_mmdet (editable)"
"${pip[@]}" --no-deps --no-build-isolation -e .

"$py" - <<'EOF'
import torch, torchvision, mmcv, mmengine, mmdet, mmpretrain, mmrazor
from mmcv.ops import RoIAlign, nms  # the compiled ops, not the pure-Python fallback
import ckd_mmdet
from mmrazor.models import SingleTeacherDistill  # needs the mmrazor_import bridge on torch 2.x
print('stack ok:', ', '.join(f'{m.__name__} {m.__version__}' for m in
      (torch, torchvision, mmcv, mmengine, mmdet, mmrazor, mmpretrain)))
EOF
echo "$want" > "$stamp"
log "done in $(( $(date +%s) - start )) s"
