"""One look at a page as the browser tests take it: axe at 1280 and at 390 px with no violation
of any impact, no sideways scroll, and no button narrower than its label (a row's buttons in the
stacked phone layout once shrank to "pla" of "Gi plass")."""

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import axe_violations, describe, no_horizontal_scroll

_CLIPPED_BUTTONS = """() => [...document.querySelectorAll('main .button')]
    .filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.textContent.trim())"""


def look(page, where: str, found: list[str], screenshot=None, name: str | None = None, *,
         prefix: str = "page") -> None:
    """Append to ``found`` what is wrong with ``page`` at both widths; with ``screenshot`` and
    ``name``, save test-artifacts/screenshots/<prefix>-<name>-<desktop|phone>.png."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        if violations is None:
            found.append(f"[{where}] axe did not run")
        elif violations:
            found.append(describe(f"{where} ({size})", violations))
        width, inner = no_horizontal_scroll(page)
        if width > inner:
            found.append(f"[{where}] scrolls sideways at {size}: {width} > {inner}")
        if clipped := page.evaluate(_CLIPPED_BUTTONS):
            found.append(f"[{where}] buttons too narrow for their label at {size}: {clipped}")
        if screenshot and name:
            screenshot(page, f"{prefix}-{name}-{size}")
    page.set_viewport_size(DESKTOP)
