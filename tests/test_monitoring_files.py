"""The monitoring files a project gets (Prometheus scrape config, alert rules, Grafana
dashboard) parse, and every metric they query is one the service really exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from conftest import DEFAULT_PACKAGE, recorded_answers, render

VARIANTS: dict[str, dict[str, Any]] = {
    "redis": {},
    "rabbitmq-priority": {"broker": "rabbitmq", "use_priority_queues": True},
    "postgresql": {"database": "postgresql"},
}
SEVERITIES = {"critical", "warning", "info"}
# Prometheus' own series about each scrape target.
BUILT_IN = {"up"}
# Read from Redis' own structures; RabbitMQ's are left to its Prometheus plugin.
REDIS_ONLY = {"celery_unacked_messages", "celery_queue_oldest_job_age_seconds"}
DECLARED = re.compile(r'(Counter|Histogram|Gauge|GaugeMetricFamily)\(\s*"([a-z_]+)"', re.S)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp(request.param) / "acme-jobs", **VARIANTS[request.param])


def exported_series(project: Path) -> set[str]:
    """Series names the service's code and its runtime declare, as Prometheus sees
    them; the outbox relay's only where a database makes it run."""
    names = set(BUILT_IN)
    answers = recorded_answers(project)
    code = [
        *(project / "src" / DEFAULT_PACKAGE).rglob("*.py"),
        *(project / "runtime/src").rglob("*.py"),
    ]
    if answers["database"] != "postgresql":
        code = [path for path in code if path.name != "relay.py"]
    for path in code:
        for kind, name in DECLARED.findall(path.read_text()):
            if kind == "Histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
            else:
                names.add(name)
    return names if answers["broker"] == "redis" else names - REDIS_ONLY


def selectors(node: Any) -> Iterator[Any]:
    if type(node).__name__ == "VectorSelector":
        yield node
    for attribute in ("lhs", "rhs", "expr", "args", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        for item in child if isinstance(child, list | tuple) else [child]:
            if item is not None:
                yield from selectors(item)


def alert_rules(project: Path) -> list[dict[str, Any]]:
    groups = yaml.safe_load((project / "monitoring/alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs(project: Path) -> list[str]:
    dashboard = json.loads((project / "monitoring/grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_every_alert_rule_is_complete_and_parses(project: Path) -> None:
    rules = alert_rules(project)
    assert {"NoWorkerAlive", "QueueBacklogGrowing", "JobFailureRateHigh"} <= {
        rule["alert"] for rule in rules
    }
    for rule in rules:
        promql_parser.parse(rule["expr"])
        assert re.fullmatch(r"\d+m", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_the_dashboard_is_valid_json_whose_queries_parse(project: Path) -> None:
    dashboard = json.loads((project / "monitoring/grafana-dashboard.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for expr in dashboard_exprs(project):
        promql_parser.parse(expr)


def test_every_queried_metric_is_exported_by_the_service(project: Path) -> None:
    exported = exported_series(project)
    queries = [rule["expr"] for rule in alert_rules(project)] + dashboard_exprs(project)
    used = {s.name for expr in queries for s in selectors(promql_parser.parse(expr))}
    assert used - exported == set()
    # And the dashboard shows every metric family the service exports.
    families = {re.sub(r"_(bucket|count|sum)$", "", name) for name in exported - BUILT_IN}
    shown = {re.sub(r"_(bucket|count|sum)$", "", name) for name in used}
    assert families - shown == set()


def test_alerts_and_dashboard_name_the_scraped_jobs(project: Path) -> None:
    scrape = yaml.safe_load((project / "monitoring/prometheus.yml").read_text())
    jobs = {config["job_name"] for config in scrape["scrape_configs"]}
    queries = [rule["expr"] for rule in alert_rules(project)] + dashboard_exprs(project)
    named = set(re.findall(r'job="([^"]+)"', " ".join(queries)))
    assert named
    assert named <= jobs
    assert scrape["rule_files"] == ["alerts.yaml"]


def test_a_broken_query_is_refused_by_the_parser() -> None:
    with pytest.raises(Exception, match="unclosed left parenthesis"):
        promql_parser.parse("sum by (task (rate(celery_tasks_failed_total[5m]))")
