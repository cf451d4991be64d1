# Casebook: `make run` starts the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-dev db bench clean-venv

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade
	$(FLASK) search reindex --if-empty
	$(FLASK) seed-demo --no-sign-ins

run: db
	@echo ""
	@echo "  Casebook is starting on http://$(HOST):$(PORT)"
	@$(FLASK) demo-users
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

test: install-dev
	$(BIN)/python -m pytest -q -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo ""; echo "== The same suite on PostgreSQL =="; \
		CASEBOOK_TEST_DB_URI="$$TEST_DATABASE_URL" $(BIN)/python -m pytest -q -p no:cacheprovider; \
	fi

bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
