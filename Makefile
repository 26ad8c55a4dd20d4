# Two commands: `make run` and `make test`. Each does every step on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); 0 runs the suite in this process. --dist worksteal: a process that runs
# out of tests takes pending ones from the other, so a file of slow tests does not leave one core idle.
TEST_WORKERS ?= 2

.PHONY: run test install lint migrate clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

# Serves the demo on SQLite with Celery tasks in-process: no PostgreSQL or Redis needed.
run: export JINGYUAN_DEBUG ?= true
run: migrate
	$(PY) manage.py load_programme
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "打开 http://$(HOST):$(PORT)/ ，演示账号 staff / surveyor / leader / liaison / auditor，密码见 README。"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var
