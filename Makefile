# Intrapreneur: the everyday commands.
#
#   make demo     try it: a seeded demo on http://127.0.0.1:5000/
#   make test     test it (PYTEST_ARGS="-k guests -x" passes options to pytest)
#
# `make install` runs first and only installs what is missing, so re-runs are fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
# Touched after a successful `pip install`; pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed-from-pyproject
# axe-core, which the browser tests inject into pages to check accessibility (package-lock.json).
AXE := node_modules/axe-core/axe.min.js
PYTEST_ARGS ?=
# The message catalogues (intrapreneur/translations/<language>/LC_MESSAGES/messages.po), each
# compiled to its .mo at install; `make translations` extracts new messages into them.
CATALOGUES := $(wildcard intrapreneur/translations/*/LC_MESSAGES/messages.po)
COMPILED_CATALOGUES := $(CATALOGUES:.po=.mo)
MESSAGES_TEMPLATE := intrapreneur/translations/messages.pot

# Debian/Ubuntu packages: venv support, headers to build python-ldap, OpenLDAP's slapd for
# the directory tests, a Samba AD domain controller for the Active Directory tests
# (samba-dsdb-modules is only recommended, but provisioning fails without it), the
# distribution's Chromium for the browser tests (plus Node.js and npm when no npm is on the
# PATH, to install axe-core for them), Redis and PostgreSQL for the throwaway servers the
# tests start when none is configured (tests/services.py), and stress-ng to prove the suite
# on a busy machine (README, Tests).
APT_PACKAGES := python3-venv libldap2-dev libsasl2-dev slapd ldap-utils \
	samba samba-ad-provision samba-dsdb-modules samba-vfs-modules ldb-tools \
	chromium chromium-driver redis-server postgresql stress-ng xmlsec1 \
	libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
# Exits 0 when $(PYTHON) has its C headers (needed to build python-ldap).
HAS_PYTHON_H := import os, sys, sysconfig; \
	sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))

.PHONY: help install system-packages python-version demo test lint clean translations

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(STAMP) $(AXE) $(COMPILED_CATALOGUES) ## Install missing system packages, create .venv, install the app and test tools

demo: install ## Create and seed an SQLite demo in ./instance and serve it on 127.0.0.1:5000
	$(VENV)/bin/intrapreneur demo

test: install ## Run the test suite in parallel (extra options: PYTEST_ARGS="...")
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

translations: $(STAMP) ## Extract the messages from code and templates into every catalogue
	$(VENV)/bin/pybabel --quiet extract -F babel.cfg -k lazy_gettext -k _l \
	  --sort-by-file --no-wrap --project Intrapreneur -o $(MESSAGES_TEMPLATE) .
	for catalogue in $(CATALOGUES); do \
	  $(VENV)/bin/pybabel --quiet update --no-wrap --no-fuzzy-matching \
	    -i $(MESSAGES_TEMPLATE) -o "$$catalogue" -l "$$(basename "$$(dirname "$$(dirname "$$catalogue")")")"; \
	done

lint: install ## Check the code with ruff
	$(VENV)/bin/ruff check .

clean: ## Remove .venv, the instance folder (demo database, dev secret key) and caches
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache .coverage htmlcov build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# apt-get install only the packages that are missing (plus a compiler and Python headers
# when those are missing); nothing at all when everything is present.
system-packages:
	@missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "Not a Debian/Ubuntu system: make sure the equivalents of these are installed: $(APT_PACKAGES)"; \
	  exit 0; \
	fi; \
	for pkg in $(APT_PACKAGES); do \
	  status=$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true); \
	  [ "$$status" = "install ok installed" ] || missing="$$missing $$pkg"; \
	done; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if command -v $(PYTHON) >/dev/null 2>&1 \
	  && ! $(PYTHON) -c '$(HAS_PYTHON_H)' 2>/dev/null \
	  && [ "$$(dpkg-query -W -f='$${Status}' python3-dev 2>/dev/null || true)" != "install ok installed" ]; then \
	  missing="$$missing python3-dev"; \
	fi; \
	[ -n "$$missing" ] || exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "intrapreneur: missing system packages:$$missing (install them as root, or install sudo)" >&2; exit 1; \
	fi; \
	echo "Installing system packages:$$missing"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

# Python 3.11 or newer, checked after the system packages (a fresh machine may lack python3).
python-version: system-packages
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "intrapreneur needs Python 3.11 or newer, but PYTHON=$(PYTHON) is" \
	       "$$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not installed');" \
	       "install one and run e.g. 'make PYTHON=python3.12 ...'" >&2; \
	  exit 1; }

$(VENV)/bin/python: | python-version
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | python-version $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e ".[test]"
	touch $@

# A catalogue is compiled again whenever its .po changes (the .mo files are not committed).
%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# npm ci installs exactly what package-lock.json names; it runs again only when the lock changes.
$(AXE): package-lock.json | system-packages
	npm ci --no-audit --no-fund
	touch $@
