# The template's own commands. `make test` is what CI runs (.ci/run).
UV ?= uv
RUN := $(UV) run --frozen
RUNTIME := template/runtime

.DEFAULT_GOAL := help
.PHONY: help install demo test test-runtime test-fast docs

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install:  ## Create the template's dev environment (.venv) from uv.lock
	$(UV) sync --frozen

demo:  ## Render a demo service, boot it against Redis (private if none runs), send a job, print its state
	@# An environment of its own with the demo group only (28 packages, not the
	@# template's dev tools), so the template's .venv stays as it is.
	$(RUN) --isolated --only-group demo python scripts/demo.py

test: install test-runtime  ## The whole suite (PYTEST_ARGS='-m "not failover"' skips the broker-cluster failovers)
	$(RUN) ruff check tests scripts migrations
	$(RUN) ruff format --check tests scripts migrations
	@# Three workers on two cores: the runtime's suites spend two thirds of their time
	@# waiting (redeliveries, restarts, timeouts), which a third worker fills.
	$(RUN) pytest -n 3 --dist loadgroup --durations=25 $(PYTEST_ARGS)

# The runtime is a library: linted and tested here directly, by its own configuration
# (template/runtime/pyproject.toml), without rendering a project. Its integration,
# resilience and failover tests need servers: the suite runs them
# (tests/test_runtime_suite.py) on the servers it starts, once per broker.
test-runtime: install  ## The runtime's own lint (ruff, strict mypy) and unit tests
	$(RUN) ruff check $(RUNTIME)
	$(RUN) ruff format --check $(RUNTIME)
	$(RUN) mypy --config-file $(RUNTIME)/pyproject.toml $(RUNTIME)/src $(RUNTIME)/tests $(RUNTIME)/bench
	$(RUN) pytest $(RUNTIME)/tests/unit

docs: install  ## Build the user guide into site/ (strict: a broken link fails)
	NO_MKDOCS_2_WARNING=1 $(RUN) mkdocs build --strict -d site

test-fast: install  ## Rendering and answer validation only (no servers, no boots)
	$(RUN) pytest -n 2 --without-servers tests/test_rendering.py tests/test_answers_validation.py
