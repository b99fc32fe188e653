# Everyday targets. `make run` and `make test` work on a fresh machine: each installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The instance folder of `make run` (SQLite file, development keys): the platform's default, the
# per-user ~/.local/share/jicai, unless given: `make run INSTANCE=/tmp/jicai-demo`.
INSTANCE ?=
# The port of `make run`: `make run PORT=5055`.
PORT ?= 5000
FLASK := $(if $(INSTANCE),JICAI_INSTANCE_PATH=$(abspath $(INSTANCE)) )$(BIN)/flask --app app
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-pg test-fast browser-deps bench lint i18n clean prod loadtest

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,prod]'
	touch $(STAMP)

install: $(STAMP)

## Start the platform with the demo batches on SQLite at http://127.0.0.1:$(PORT) (data in the instance folder),
## the scheduler beside the web server (one process group: Ctrl-C stops both)
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) serve --host 127.0.0.1 --port $(PORT)

## Run the whole suite (SQLite), browser journeys included
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile

## Production profile: gunicorn workers + the one scheduler, against PostgreSQL (see docs/deploy.md)
prod: $(STAMP)
	@test -n "$$JICAI_DATABASE_URL" || { echo "set JICAI_DATABASE_URL=postgresql://user@host/db (and JICAI_SECRET_KEY, JICAI_SEAL_KEK, JICAI_AUDIT_KEY)"; exit 2; }
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app jobs & sched=$$!; trap 'kill $$sched 2>/dev/null; wait $$sched' EXIT; \
	JICAI_SECURE_COOKIES=$${JICAI_SECURE_COOKIES:-true} $(BIN)/gunicorn --workers $${WORKERS:-4} --bind $${BIND:-127.0.0.1:8000} \
	  --access-logfile - 'app:create_app()'

## The suite against PostgreSQL (fresh database, dropped afterwards)
test-pg: $(STAMP)
	bash .ci/test-pg

## The suite without the browser journeys
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser"

## Chromium and CJK fonts for the browser tests (Debian packages)
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  echo "installing chromium and fonts-noto-cjk"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "could not install chromium; browser tests will be skipped"; }

## Benchmarks (print tables; not tests)
bench: $(STAMP)
	@for m in bench/bench_*.py; do n=$$(basename $$m .py); echo "== $$n"; $(BIN)/python -m bench.$$n || exit 1; done

## Load test (issue 8; not in CI): gunicorn + a throwaway PostgreSQL database on 127.0.0.1:5432,
## 500 hospitals uploading demand while 200 suppliers bid in the last minute; checks every write
## and prints p50/p95/p99 per endpoint. Smaller: make loadtest ARGS="--hospitals 50 --suppliers 20"
loadtest: $(STAMP)
	$(BIN)/python -m loadtest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Extract, update and compile translations
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot --no-location --omit-header web accounts procurement bidding settlement imports core review evaluation jobs api notices listing orders results cycles supply credit savings paystd pricewatch selfpay directpay
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l zh_Hans_CN --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations -l zh_Hans_CN

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
