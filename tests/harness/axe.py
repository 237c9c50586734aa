"""`axe`: checks the page open in the browser against WCAG 2.2 AA with axe-core (from npm,
installed by `make` into node_modules/ from package.json)."""

from pathlib import Path

import pytest

from tests.harness.services import require

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class Axe:
    def __init__(self, source: str):
        self.source = source

    def violations(self, page) -> list[str]:
        """Each WCAG 2.2 A/AA rule the page breaks, with the elements that break it."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)  # through DevTools, so the site's CSP does not apply
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} -- "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in results["violations"]
        ]


@pytest.fixture(scope="session")
def axe():
    require(AXE_JS.exists(), "axe-core is not installed: run `npm ci` (make does when npm exists)")
    return Axe(AXE_JS.read_text())
