"""The policy: every route names its action (or is public on purpose), and the rules read as the
table below, written out by hand, so a rule changed by accident fails here."""

from flask import Flask

from eventapp.core import policy


def unnamed_endpoints(app: Flask) -> list[str]:
    """Endpoints that name no action and are not marked public, or name one the policy lacks."""
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        action = policy.action_of(app.view_functions[rule.endpoint])
        if action is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) names no action")
        elif action != policy.PUBLIC and action not in policy.ACTIONS:
            problems.append(f"{rule.endpoint} ({rule.rule}) names unknown action {action!r}")
    return sorted(problems)


def test_every_route_names_its_action_or_is_public(app):
    assert unnamed_endpoints(app) == []
