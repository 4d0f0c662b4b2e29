# sanxin — two commands: `make run` (the platform with the demo, embedded database) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint unit unit-sqlite unit-postgres e2e bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sanxin migrate --noinput -v0
	$(BIN)/sanxin demo --if-empty
	$(BIN)/sanxin serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	SANXIN_ENV=test $(BIN)/sanxin makemigrations --check --dry-run -v1

unit-sqlite: $(STAMP)
	SANXIN_ENV=test DATABASE_URL= $(BIN)/pytest -m "not e2e" -n 2 --dist loadfile

unit-postgres: $(STAMP)
	SANXIN_ENV=test DATABASE_URL=$${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/sanxin} $(BIN)/pytest -m "not e2e and not fuzz" -n 2 --dist loadfile

e2e: $(STAMP)
	SANXIN_ENV=test DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest -m e2e tests/e2e

test: lint unit-sqlite unit-postgres e2e

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/members.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/meetings.py
	$(BIN)/python bench/points.py
	$(BIN)/python bench/appeals.py

clean:
	rm -rf $(VENV) var
