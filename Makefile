# The commands the README names. Each one creates or refreshes .venv first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install; older than pyproject.toml means "install again".
INSTALLED := $(VENV)/.installed
PORT ?= 5000

# The compiled translations (.mo) are built from the catalogues (.po) at install, not kept.
CATALOGS := $(wildcard spa_app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test bench load lint venv messages

venv: $(INSTALLED) $(COMPILED)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

%.mo: %.po | $(INSTALLED)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# After changing text: collect it anew and add the new words to every catalogue to translate.
messages: venv
	$(VENV)/bin/pybabel extract -F spa_app/translations/babel.cfg -k _l -k lazy_gettext \
		--ignore-dirs '.* __pycache__ .venv' \
		--no-location --sort-output -o spa_app/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i spa_app/translations/messages.pot \
		-d spa_app/translations

run: venv
	$(PY) scripts/run_local.py --port $(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

bench: venv
	$(PY) -m bench

load: venv
	$(PY) -m bench.load $(LOAD_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
