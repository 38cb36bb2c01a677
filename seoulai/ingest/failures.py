"""Ingestion errors: stable codes, Korean messages that say what the person can do."""

from __future__ import annotations

from seoulai.errors import InputError

MESSAGES: dict[str, str] = {
    "encrypted": "암호가 걸린 문서입니다. 한글(또는 PDF 뷰어)에서 암호를 해제하고 다시 저장한 뒤 올려 주세요.",
    "drm": "보안(DRM)이 적용된 문서입니다. 사내 문서보안 프로그램에서 반출(복호화) 승인을 받은 파일을 올려 주세요.",
    "distribution_protected": "배포용으로 저장된 한글 문서라 본문을 읽을 수 없습니다. 원본 문서를 받거나 "
    "한글에서 '다른 이름으로 저장'으로 일반 문서로 저장한 뒤 올려 주세요.",
    "not_a_document": "문서 파일이 아닙니다 (확장자와 실제 내용이 다릅니다). 한글·PDF·워드 원본 파일을 올려 주세요.",
    "corrupt": "파일이 손상되어 읽을 수 없습니다. 원본 프로그램에서 파일이 열리는지 확인하고 다시 저장해 올려 주세요.",
    "no_text_layer": "글자 정보가 없는 PDF(스캔본)입니다. 문자 인식(OCR)을 거친 PDF나 원본 문서를 올려 주세요.",
    "empty": "문서에 읽을 수 있는 본문이 없습니다. 내용이 있는 파일인지 확인해 주세요.",
    "too_large": "파일이 허용 한도를 넘습니다. 문서를 나누어 올리거나 관리자에게 한도 조정을 요청하세요.",
    "unsupported": "지원하지 않는 파일 형식입니다. HWP, HWPX, PDF, DOCX, XLSX, CSV, PPTX, TXT, MD 파일을 올려 주세요.",
    "timeout": "문서를 읽는 데 시간이 너무 오래 걸려 중단했습니다. 문서를 나누어 올리거나 PDF로 변환해 올려 주세요.",
}


class IngestError(InputError):
    """A file that cannot be ingested. ``code`` is one of MESSAGES' keys; ``detail`` adds specifics."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown ingest error code {code!r}")
        message = MESSAGES[code] + (f" ({detail})" if detail else "")
        super().__init__(message, code=code)
        self.detail = detail

    def to_json(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail}}
