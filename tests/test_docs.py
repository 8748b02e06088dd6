"""Docs that tests keep honest: every setting documented, the README's endpoint table true to the app."""
from __future__ import annotations

import re

from hipback import config

ROOT = config.ROOT
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def documented_settings() -> set[str]:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## ([A-Z][A-Z0-9_]*)\s*$", text, re.M))


def test_every_setting_is_documented():
    missing = set(config.DEFAULTS) - documented_settings()
    assert not missing, f"docs/settings.md has no section for: {sorted(missing)}"


def test_every_documented_setting_exists():
    unknown = documented_settings() - set(config.DEFAULTS)
    assert not unknown, f"docs/settings.md documents settings that do not exist: {sorted(unknown)}"


def plain(rule: str) -> str:
    """A Flask rule without converters: ``/queries/<name><any('.json', '.csv'):suffix>`` -> ``/queries/<name><suffix>``."""
    return re.sub(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)>", r"<\1>", re.sub(r"\([^)]*\)", "", rule))


def readme_endpoints() -> dict[str, set[str]]:
    """Path (a Flask rule without converters) -> methods, from the README's endpoint table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Endpoints", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        methods = set(cells[0].replace(",", " ").split()) if cells else set()
        if len(cells) >= 3 and methods and methods <= METHODS:
            rows.setdefault(cells[1].strip("`"), set()).update(methods)
    return rows


def app_endpoints(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            routes.setdefault(plain(rule.rule), set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_plain_rule():
    assert plain("/queries/<name><any('.json', '.csv'):suffix>") == "/queries/<name><suffix>"
    assert plain("/term/<path:name>") == "/term/<name>"


def test_readme_lists_only_routes_and_methods_that_exist(app):
    rows, routes = readme_endpoints(), app_endpoints(app)
    assert "GET" in rows.get("/healthz", ()), "the endpoint table did not parse"
    ghost = sorted(path for path in rows if path not in routes)
    assert not ghost, f"README lists paths the app does not have: {ghost}"
    wrong = {path: sorted(methods - routes[path]) for path, methods in rows.items() if methods - routes[path]}
    assert not wrong, f"README lists methods these paths do not answer: {wrong}"


def test_every_route_is_in_the_readme(app):
    unlisted = sorted(set(app_endpoints(app)) - set(readme_endpoints()))
    assert not unlisted, f"paths missing from the README's endpoint table: {unlisted}"


def test_readme_quick_start_is_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
