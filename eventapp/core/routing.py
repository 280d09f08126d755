"""URL rules that compile their URL builders when first used (the app's ``url_rule_class``)."""

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """werkzeug compiles two URL builders for every rule as it is added (Python code generated
    and ``compile()``d: a tenth of the app's start for its few hundred rules), yet a process
    builds URLs to few of its endpoints. Here each builder is compiled by werkzeug's own code on
    its first call and then takes the stand-in's place; matching is untouched.
    tests/core/test_routing.py holds both."""

    def _compile_builder(self, append_unknown: bool = True):
        name = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule, *args, **kwargs):
            # Two threads at once each compile the same builder: either may stay.
            build = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, build)
            return build(*args, **kwargs)

        return build_on_first_use
