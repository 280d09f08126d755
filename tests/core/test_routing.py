"""The app's URL rules compile their URL builders when first used (core/routing.py) and build
and match exactly what werkzeug's own rules do."""

import re

from werkzeug.routing import Map, Rule

from eventapp.core.routing import LazyBuilderRule

# Values for each converter the rules use: text that must be quoted, a path, an id.
VALUES = {"default": "Å b/c?d#e%f", "string": "Å b/c?d#e%f", "path": "a/b c/ø", "int": 42}
ARGUMENT = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")
# Arguments no rule has go to the query string when the builder appends unknown ones.
UNKNOWN = {"next": "/x?y=1&z", "tag": ["a", "b"]}


def _values(rule) -> dict:
    values = {}
    for converter, args, name in ARGUMENT.findall(rule.rule):
        if converter == "any":
            values[name] = args.split(",")[0].strip(" '\"")
        else:
            values[name] = VALUES[converter or "default"]
    return values


def _rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_rule_of_the_app_compiles_its_builders_when_first_used(app, monkeypatch):
    assert all(isinstance(rule, LazyBuilderRule) for rule in _rules(app))

    compiled = []
    compile_builder = Rule._compile_builder

    def counting(rule, append_unknown=True):
        compiled.append((rule.endpoint, append_unknown))
        return compile_builder(rule, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counting)
    rules = _rules(app)
    Map([Rule(rule.rule, **rule.get_empty_kwargs()) for rule in rules])
    assert len(compiled) == 2 * len(rules)  # werkzeug's own: both builders of every rule

    compiled.clear()
    lazy = [rule.empty() for rule in rules]
    urls = Map(lazy, converters=app.url_map.converters).bind("localhost")
    assert compiled == []
    first = lazy[0]
    urls.build(first.endpoint, _values(first), method=sorted(first.methods)[0])
    urls.build(first.endpoint, _values(first), method=sorted(first.methods)[0])
    assert compiled == [(first.endpoint, True)]


def test_every_rule_builds_and_matches_what_werkzeugs_rule_does(app):
    rules = _rules(app)
    own = Map([Rule(rule.rule, **rule.get_empty_kwargs()) for rule in rules],
              converters=app.url_map.converters)
    theirs = {(rule.rule, rule.endpoint): rule for rule in own.iter_rules()}
    app_urls, own_urls = app.url_map.bind("localhost"), own.bind("localhost")
    for rule in rules:
        twin = theirs[rule.rule, rule.endpoint]
        values = _values(rule)
        for extra in ({}, UNKNOWN):
            for append_unknown in (True, False):
                built = rule.build({**values, **extra}, append_unknown)
                assert built == twin.build({**values, **extra}, append_unknown), rule.rule
        _domain, path = rule.build(values, False)
        method = sorted(rule.methods)[0]
        assert _match(app_urls, path, method) == _match(own_urls, path, method), rule.rule


def _match(urls, path: str, method: str):
    try:
        return urls.match(path, method)
    except Exception as exc:  # a redirect or a refusal must be the same too
        return type(exc), getattr(exc, "new_url", None)
