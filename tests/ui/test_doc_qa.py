"""문서 Q&A page through AppTest with real sample files and the fake Ollama server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seoulai.auth.people import Person
from tests.fakes.ollama_server import FakeOllama
from tests.ui.conftest import APP

TOKEN = "고유확인어다람쥐"


def _page(env: pytest.MonkeyPatch, url: str, person: Person | None = None) -> AppTest:
    env.setenv("SEOULAI_OLLAMA_URL", url)
    env.setenv("SEOULAI_EMBED__BACKEND", "none")
    at = AppTest.from_file(APP, default_timeout=120)
    if person is not None:
        at.session_state["auth_person"] = person
    at.run()
    at.switch_page("views/doc_qa.py").run()
    assert not at.exception
    return at


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.success] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [e.label for e in at.expander]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def test_upload_ask_summarise_compare(app_env: pytest.MonkeyPatch, shared_dir: Path, fake_ollama: FakeOllama) -> None:
    samples = shared_dir / "samples"
    at = _page(app_env, fake_ollama.url)
    at.file_uploader[0].set_value([
        ("보도자료.hwpx", (samples / "hwpx/mcst_press_release_2024-01-02.hwpx").read_bytes(), "application/zip"),
        ("학술상규정.pdf", (samples / "pdf/경희규정1.pdf").read_bytes(), "application/pdf"),
        ("암호문서.hwp", (samples / "broken/password-12345.hwp").read_bytes(), "application/octet-stream"),
        ("보안문서.hwp", (samples / "broken/drm_markany_1.hwp").read_bytes(), "application/octet-stream"),
    ]).run()
    at.button(key="dq_upload").click().run()
    assert not at.exception
    text = _text(at)
    assert "보도자료.hwpx: 2쪽" in text and "학술상규정.pdf: 2쪽" in text
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # file names are shown escaped
    assert any("암호문서.hwp" in e and "암호" in e for e in errors)
    assert any("보안문서.hwp" in e and "DRM" in e for e in errors)

    fake_ollama.script("학술상 운영위원회 위원장은 연구처장입니다 [1].")
    at.text_input(key="dq_question").input("학술상 운영위원회 위원장은 누구인가요?")
    at.button[[b.label for b in at.button].index("묻기")].click().run()
    assert not at.exception
    text = _text(at)
    assert "연구처장입니다 [1]" in text
    assert "학술상규정.pdf" in re.sub(r"\\(.)", r"\1", "\n".join(c.value for c in at.caption))  # the card names the file
    assert re.search(r"제5조 \(운영위원회\) · \d쪽", text)  # ... and the article and page

    fake_ollama.responder = lambda body: "○ 장미란 차관이 선수촌을 방문합니다 [1]."
    at.selectbox(key="dq_summary_doc").set_value("보도자료.hwpx").run()
    at.button(key="dq_summarize").click().run()
    assert "선수촌을 방문합니다 [1]" in _text(at)

    fake_ollama.responder = lambda body: "○ 문서 내용이 전부 바뀌었습니다 [1]."
    at.selectbox(key="dq_before").set_value("학술상규정.pdf").run()
    at.selectbox(key="dq_after").set_value("보도자료.hwpx").run()
    at.button(key="dq_compare").click().run()
    text = _text(at)
    assert "학술상규정" in text and "변경" in text and "전부 바뀌었습니다 [1]" in text


def test_another_person_never_sees_the_upload(app_env: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    alice = Person("alice", "김서울", "서울특별시/행정국/총무과")
    bob = Person("bob", "이한강", "서울특별시/행정국/총무과")
    at = _page(app_env, fake_ollama.url, alice)
    at.file_uploader[0].set_value([("메모.md", f"# 메모\n\n{TOKEN} 내부 검토 의견.".encode(),
                                                "text/markdown")]).run()
    at.button(key="dq_upload").click().run()
    assert "메모.md" in _text(at)

    other = _page(app_env, fake_ollama.url, bob)
    assert "메모.md" not in _text(other) and any("아직 올린 문서가 없습니다" in i.value for i in other.info)
    other.switch_page("views/manual_search.py").run()
    other.chat_input[0].set_value(f"{TOKEN} 내부 검토 의견").run()
    assert TOKEN not in _text(other).replace(f"{TOKEN} 내부 검토 의견", "")  # only in Bob's own question
    assert all(TOKEN not in str(r.body) for r in fake_ollama.chat_requests())


def test_the_card_names_the_file_not_its_first_sentence(app_env: pytest.MonkeyPatch, shared_dir: Path,
                                                          fake_ollama: FakeOllama) -> None:
    """This HWP's title property is its first sentence ("우리가 독자 개발하여 …"), and with no heading the passage's
    section is that title too: the card's header names the upload and its page instead."""
    at = _page(app_env, fake_ollama.url)
    data = (shared_dir / "samples/hwp/msit_press_release_2018-09-03_noori.hwp").read_bytes()
    at.file_uploader[0].set_value([("누리호_보도자료.hwp", data, "application/octet-stream")]).run()
    at.button(key="dq_upload").click().run()
    fake_ollama.script("발사체의 이름은 누리입니다 [1].")
    at.text_input(key="dq_question").input("한국형발사체의 이름은 무엇인가요?")
    at.button[[b.label for b in at.button].index("묻기")].click().run()
    assert not at.exception
    labels = [re.sub(r"\\(.)", r"\1", e.label) for e in at.expander if e.label.startswith("\\[1\\]")]
    assert labels and re.fullmatch(r"\[1\] 누리호_보도자료\.hwp · \d+쪽", labels[0]), labels
