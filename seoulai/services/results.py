"""What the services hand the screens beside their own result types: the values a page reads and the one rule for
showing untrusted text.

The screens (views/, app.py, seoulai/ui) import from seoulai only the services, errors, config and ui
(tests/unit/test_layers.py): everything they show comes through here or through a service module, so a change
inside the core reaches no screen that did not ask for it.
"""

from __future__ import annotations

# One rule for showing untrusted text: model output, document text and names from the library are shown only through
# these (never unsafe_allow_html). The screens take them from the service layer, like the text they are applied to,
# so a page cannot pick a looser rule of its own. StreamSanitiser is safe_markdown over a streamed text, one delta
# at a time (what a streaming placeholder shows).
from seoulai.answer.safety import StreamSanitiser, escape_markdown, safe_markdown
from seoulai.files import IncomingFile  # a file a person hands a service (name, stream, size)
from seoulai.ingest.sniff import SUPPORTED
from seoulai.llm.health import ComponentStatus, HealthReport  # Services.health()
from seoulai.retrieval.backfill import SemanticProgress  # Services.semantic_status(), frozen
from seoulai.retrieval.hits import Hit  # every passage a service returns, frozen

# The file kinds the services read (lower-case extensions): an upload box accepts these and names them.
UPLOAD_FORMATS: tuple[str, ...] = tuple(SUPPORTED)

__all__ = ["ComponentStatus", "HealthReport", "Hit", "IncomingFile", "SemanticProgress", "StreamSanitiser",
           "UPLOAD_FORMATS", "escape_markdown", "safe_markdown"]
