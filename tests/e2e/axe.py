"""axe-core in the browser tests: run its WCAG 2 A and AA rules over a page and report the
violations that block people (impact serious or critical)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA; axe tags each rule with the versions that added it.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations;
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"[{self.impact}] {self.rule}: {self.help} at {', '.join(self.targets)}"


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: install it with `npm ci`.")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _target(node: dict[str, Any]) -> str:
    # A node inside a frame or a shadow root has a list of selectors, outermost first.
    return " >>> ".join(str(part) for part in node["target"])


def axe_violations(page: Page) -> list[Violation]:
    """The page's serious and critical WCAG 2 A/AA violations as it is drawn now.

    axe goes in through `page.evaluate`, which the DevTools protocol runs outside the page's
    Content-Security-Policy: a `<script>` tag with its source would be refused as inline script,
    and the page's own policy stays as strict as govhall serves it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
    return [
        Violation(
            rule=violation["id"],
            impact=violation["impact"],
            help=violation["help"],
            targets=tuple(_target(node) for node in violation["nodes"]),
        )
        for violation in found
        if violation["impact"] in BLOCKING_IMPACTS
    ]
