"""Accessibility checks that every browser test gets for free.

Each page a test opens is watched: after a page load, or after an htmx answer has been swapped in, the next thing the
test asks of the page first checks the state on screen:

- axe-core (bundled by axe-playwright-python) at desktop (1280 px) and phone (390 px) width, failing on any serious or
  critical violation;
- reflow at 320 px (WCAG 1.4.10): the page itself must not scroll sideways. Wide content that scrolls inside its own
  box (the calendar grid, a table) is allowed, as the rule allows for two-dimensional content.

A state already checked (same address and same markup, CSRF tokens aside) is not checked twice in a session, which
keeps the suite's cost to a few seconds. `check_a11y(page)` checks on demand (a state reached by keyboard alone).
MEDIUS_A11Y_COLLECT=/tmp/a11y.txt writes every problem to that file instead of failing (to survey many pages at once).
"""

from __future__ import annotations

import hashlib
import os

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REFLOW_WIDTH = 320
BLOCKING = {"serious", "critical"}

_axe = Axe()
_seen: set[str] = set()

# The markup of the state, less what changes on every request (CSRF tokens), to recognise states already checked.
_FINGERPRINT = """() => location.pathname + location.search + "\\n" +
  document.documentElement.outerHTML.replace(/value="[A-Za-z0-9]{32,}"/g, "").replace(/"X-CSRFToken": "[^"]*"/g, "")"""

_OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  // Name the widest offenders so the failure says what to fix.
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > root.clientWidth + 1 && box.width > 0) {
      let parent = el.parentElement, clipped = false;
      while (parent && parent !== document.body) {
        const style = getComputedStyle(parent);
        if (style.overflowX !== "visible" && parent.getBoundingClientRect().right <= root.clientWidth + 1) {
          clipped = true;
          break;
        }
        parent = parent.parentElement;
      }
      if (!clipped) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
        " right=" + Math.round(box.right));
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, elements: wide.slice(0, 8)};
}"""


def _report(violations: list[dict], where: str) -> str:
    lines = [f"axe: {len(violations)} serious/critical violation(s) on {where}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:6]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def _run_checks(page: Page) -> None:
    page.wait_for_load_state()
    # An htmx answer is checked once swapped in and settled.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    fingerprint = hashlib.sha256(page.evaluate(_FINGERPRINT).encode()).hexdigest()
    if fingerprint in _seen:
        return
    where = page.url
    viewport = page.viewport_size or DESKTOP
    problems = []
    try:
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            # A run cut short (the page moved on under it) leaves axe "already running" on this document.
            page.evaluate("() => { if (window.axe) window.axe._running = false; }")
            results = _axe.run(page, options={"resultTypes": ["violations"]})
            blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
            if blocking:
                problems.append(_report(blocking, f"{where} at {name} width ({size['width']} px)"))
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            problems.append(
                f"reflow: {where} scrolls sideways at {REFLOW_WIDTH} px "
                f"(content {overflow['scrollWidth']} px wide): {', '.join(overflow['elements'])}"
            )
    finally:
        page.set_viewport_size(viewport)
    if problems and os.environ.get("MEDIUS_A11Y_COLLECT"):  # a survey: write every problem down, fail nothing
        with open(os.environ["MEDIUS_A11Y_COLLECT"], "a") as out:
            out.write("\n".join(problems) + "\n\n")
    elif problems:
        raise AssertionError("\n".join(problems))
    _seen.add(fingerprint)


def check_a11y(page: Page) -> None:
    """Check the state on screen now (also what the automatic checks run)."""
    state = page.__dict__.setdefault("_a11y", {"dirty": False, "busy": False})
    state["busy"] = True
    try:
        for attempt in range(3):
            try:
                _run_checks(page)
                break
            except PlaywrightError as error:  # a navigation started mid-check: check the page it lands on
                message = str(error).lower()
                if attempt == 2 or not ("context was destroyed" in message or "axe is already running" in message):
                    raise
                page.wait_for_timeout(300)  # let the run that was cut short, or the navigation, finish
        state["dirty"] = False
    finally:
        state["busy"] = False


class _CheckedPage(Page):
    """A Page that checks the state on screen before the test's next step, when a load or an htmx swap happened."""

    def __getattribute__(self, name):
        if not name.startswith("_") and name not in _PASSIVE:
            state = object.__getattribute__(self, "__dict__").get("_a11y")
            if state and state["dirty"] and not state["busy"] and not object.__getattribute__(self, "is_closed")():
                check_a11y(self)
        return super().__getattribute__(name)


# Reading these doesn't act on the page: no check before them (is_closed and context are used by the checks).
_PASSIVE = {"is_closed", "context", "url", "viewport_size", "on", "once", "remove_listener", "close", "video"}


def watch(page: Page) -> Page:
    """Make `page` check itself as described above; returns the same object."""
    if isinstance(page, _CheckedPage):
        return page
    state = page.__dict__.setdefault("_a11y", {"dirty": False, "busy": False})

    def dirty(*_args) -> None:
        state["dirty"] = True

    def htmx_answer(response) -> None:
        if response.request.headers.get("hx-request") and response.request.frame == page.main_frame:
            state["dirty"] = True

    page.on("load", dirty)
    page.on("response", htmx_answer)
    page.__class__ = _CheckedPage
    return page
