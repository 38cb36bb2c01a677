"""What the checks and the layout read of a draft, as a type of its own: :class:`seoulai.drafting.draft.Draft`
is one, and it calls them (``draft.check()``, ``draft.text()``), so they cannot import it back."""

from __future__ import annotations

from typing import Protocol

from seoulai.drafting.template import DraftTemplate
from seoulai.retrieval.hits import Hit


class DraftContent(Protocol):
    """Read-only members: a Draft is frozen (seoulai.drafting.draft)."""

    @property
    def template(self) -> DraftTemplate: ...

    @property
    def fields(self) -> dict[str, str]: ...  # the person's values, by field name

    @property
    def sections(self) -> dict[str, str]: ...  # the text of each section, by section id

    @property
    def references(self) -> list[Hit]: ...  # the grounds a generated section cites as [n]

    @property
    def title(self) -> str: ...
