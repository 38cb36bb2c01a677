"""What every page of the browser journeys is checked for: no English a civil servant should not meet, and no
serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

import re

from tests.e2e.pages import AppPage

# Streamlit's (and our own earlier) English that must never reach the screen.
ENGLISH = ["Drag and drop", "Browse files", "per file", "Upload", "Select all", "Press Enter", "Print",
           "Record a screencast", "Made with Streamlit", "Running...", "Deploy", "draft_export", "sign_in", "None",
           "staff", "manager", "admin", "Download as CSV", "Choose an option", "No results",
           "Skip to main content", "App pages", "Sidebar", "Collapse sidebar", "Close", "Send message",
           "Chat message from", "Link to heading", "Help for", "Help", "Open"]


def check_page(view: AppPage, name: str) -> None:
    text = view.all_text()
    english = [word for word in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)]
    assert not english, f"{name}: English on screen: {english}"
    violations = view.accessibility_violations()
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(str(n["target"]) + " " + n.get("failureSummary", "")[:160] for n in v["nodes"][:4])
        for v in violations
    )
