# minas: everyday commands. Each target first runs scripts/setup.sh, which creates or reuses .venv
# (cheap when nothing changed), so every target also works on a fresh machine with nothing installed.
#   make demo    run the command-line demo
#   make test    install the test tools (+ Debian chromium when root) and run the whole test suite
#   make lab     open JupyterLab on notebooks/
#   make clean   remove .venv and caches (runs/ is kept)

VENV ?= .venv
export VENV
PY := $(VENV)/bin/python
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: demo test lab clean

demo:
	bash scripts/setup.sh
	$(VENV)/bin/minas demo

# pytest exits 5 when it collects no tests: that must fail loudly, not look like a pass.
test:
	bash scripts/setup.sh test
	@rc=0; $(PY) -m pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5); treating that as a failure" >&2; exit 1; fi; \
	exit $$rc

lab:
	bash scripts/setup.sh
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) notebooks/

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
	find . -path ./runs -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 | xargs -0 rm -rf
