"""The file-upload box shared by 문서 Q&A and 매뉴얼 관리.

Streamlit holds every uploaded file in the app's memory until its widget lets go. So: the per-file limit is
given to the widget (the browser refuses a bigger file before sending it); a batch over the count or total
limit is refused the moment it arrives, from the sizes alone; and every batch, refused or processed, is
released from Streamlit's file manager and the box is emptied (a new widget key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.runtime import exists as runtime_exists
from streamlit.runtime import get_instance
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from seoulai.errors import SeoulAIError
from seoulai.services import UPLOAD_FORMATS, IncomingFile

# The box accepts what ingestion reads, and its label names the same list: written once, they cannot drift.
TYPES = list(UPLOAD_FORMATS)
FORMATS = ", ".join(kind.upper() for kind in TYPES)


def upload_box(what: str, key: str, max_file_mb: float,
               check: Callable[[Sequence[IncomingFile]], None] | None = None) -> list[IncomingFile]:
    """The files chosen (as streams, never copied into bytes), or [] after refusing and releasing a batch.
    ``what`` names the files ("문서"); the label adds the formats the box accepts."""
    generation = st.session_state.setdefault(f"{key}_generation", 0)
    files = st.file_uploader(f"{what} ({FORMATS})", accept_multiple_files=True, type=TYPES, key=f"{key}_{generation}",
                             max_upload_size=max(1, int(max_file_mb)))
    chosen = [IncomingFile(f.name, f, f.size) for f in files or []]
    if chosen and check is not None:
        try:
            check(chosen)
        except SeoulAIError as error:
            release(key, files or [])
            st.error(error.message, icon="⚠️")
            return []
    return chosen


def release(key: str, files: Sequence[UploadedFile | IncomingFile]) -> None:
    """Drop Streamlit's in-memory copies of these files and empty the box on the next run."""
    ctx = get_script_run_ctx()
    if runtime_exists() and ctx is not None:
        manager = get_instance().uploaded_file_mgr
        for item in files:
            data = item.data if isinstance(item, IncomingFile) else item
            file_id = getattr(data, "file_id", None)
            if file_id:
                manager.remove_file(ctx.session_id, file_id)
    st.session_state[f"{key}_generation"] = st.session_state.get(f"{key}_generation", 0) + 1
