# The two commands of the README. Both create .venv on first use (tools/setup_env.sh); later
# runs find it up to date in about a second.
#   TORCH_SPEC  torch build to install (default: PyPI's torch 2.13.0 + torchvision 0.28.0)
#   VENV        virtual environment folder (default: .venv)
#   PYTHON      interpreter that creates it (default: python3)
#   PYTEST_ARGS extra pytest arguments, e.g. PYTEST_ARGS="-k ckd_loss -x"
#   TEST_WORKERS pytest-xdist workers (default: one per core; 0 runs in this process)
VENV ?= .venv
PY := $(VENV)/bin/python
# One worker per core; tests/conftest.py gives each worker, and every tool it starts, one
# core's worth of threads (measured: 19 min instead of 31 for the full suite on 2 cores).
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
export VENV

.PHONY: test test-fast demo demo-dense setup clean-venv

setup:
	@bash tools/setup_env.sh

test: setup
	$(PY) -m pytest tests -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Everything but the end-to-end and multi-process tests (marked slow): for every change.
test-fast: setup
	$(PY) -m pytest tests -m "not slow" -n $(TEST_WORKERS) $(PYTEST_ARGS)

# mmengine 0.10.7 warns that pkg_resources is deprecated on every start: nothing to act on.
demo: setup
	$(PY) -W "ignore:pkg_resources is deprecated:UserWarning" tools/demo.py

# The same with the single-stage pair (GFL R-34 -> narrow R-18, CKD on the assigner positives).
demo-dense: setup
	$(PY) -W "ignore:pkg_resources is deprecated:UserWarning" tools/demo.py --pair gfl

clean-venv:
	rm -rf $(VENV)
