"""Every Korean replacement of Streamlit's English front-end words still finds its English original in the
installed Streamlit (an upgrade that renames one fails here, not silently in the browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from seoulai.web.korean import TABLE, translate

BUNDLES = Path(streamlit.__file__).parent / "static" / "static" / "js"


@pytest.mark.parametrize("prefix", list(TABLE))
def test_each_replacement_matches_the_installed_bundle(prefix: str) -> None:
    files = sorted(BUNDLES.glob(prefix + "*.js"))
    assert files, f"no bundle named {prefix}*.js"
    sources = [f.read_text(encoding="utf-8") for f in files]
    for old, _ in TABLE[prefix]:
        found = any(old.search(s) if isinstance(old, re.Pattern) else old in s for s in sources)
        assert found, f"{prefix}: {old!r} not found"
    translated = "".join(translate(f.name, s) for f, s in zip(files, sources))
    for old, _ in TABLE[prefix]:
        assert (old.search(translated) is None) if isinstance(old, re.Pattern) else old not in translated


@pytest.mark.parametrize("prefix", ["Selectbox.", "Multiselect."])
def test_dropdowns_are_announced_in_korean(prefix: str) -> None:
    """Screen readers read a dropdown's button by its aria-label: "Open" on 이용 현황's filters until translated."""
    for path in sorted(BUNDLES.glob(prefix + "*.js")):
        translated = translate(path.name, path.read_text(encoding="utf-8"))
        assert '"aria-label":`Open`' not in translated and '"aria-label":`목록 열기`' in translated
