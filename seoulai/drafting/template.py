"""Draft templates are data: one YAML file per document type (fields, sections, prompts, format rules).

Administrators add a type by dropping a YAML file into the templates folder (SEOULAI_DRAFTING__TEMPLATES_DIR);
a malformed file is refused with a Korean message naming the line, and so is a key none of these models has (a
misspelled ``requird:`` would otherwise be dropped and the field quietly become optional).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seoulai.errors import InputError

BUILTIN = Path(__file__).parent / "templates"
PROMPTS = Path(__file__).parent / "prompts"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateField(_Strict):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: str
    step: str = ""
    required: bool = False
    type: Literal["text", "textarea", "date"] = "text"
    help: str = ""
    examples: list[str] = Field(default_factory=list)


class TemplateSection(_Strict):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    title: str
    kind: Literal["fields", "field_list", "generated", "contact_table", "attachments"]
    template: str = ""  # kind fields: "{field}" placeholders
    field: str = ""  # kind field_list / attachments
    prefix: str = ""
    prompt: str = ""  # kind generated: a Jinja2 file in the prompts folder
    instruction: str = ""
    required: bool = False
    cites: bool = True  # kind generated: facts from the references get [n] (a quote or a plan does not)
    heading: bool = False  # exports print the part's title (a 보고서's "□ 추진 배경"); wizard labels stay unprinted
    in_export: bool = True  # false: shown in the wizard only (a 보도자료's 보도 시점 line goes into the head block)
    columns: list[str] = Field(default_factory=list)  # kind contact_table
    fields: list[str] = Field(default_factory=list)


class FormatRules(_Strict):
    date_style: Literal["dotted", "any"] = "dotted"
    hierarchy: list[str] = Field(default_factory=list)
    end_mark: bool = False
    head: list[str] = Field(default_factory=list)  # fields of the head block (보도자료: 보도 시점, 담당 …)
    issuer: str = ""  # 공문: the 기관명 the letter opens with
    closing: str = ""  # 공문: the 발신 명의 it ends with


class DraftTemplate(_Strict):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: str
    description: str = ""
    steps: list[str] = Field(default_factory=list)
    fields: list[TemplateField]
    sections: list[TemplateSection]
    format: FormatRules = Field(default_factory=FormatRules)

    @model_validator(mode="after")
    def _references(self) -> "DraftTemplate":
        names = {f.name for f in self.fields}
        for section in self.sections:
            used = [section.field] if section.field else []
            used += section.fields + _placeholders(section.template)
            missing = [n for n in used if n and n not in names]
            if missing:
                raise ValueError(f"section {section.id} uses unknown field(s) {missing}")
            if section.kind == "generated" and not (PROMPTS / section.prompt).is_file():
                raise ValueError(f"section {section.id}: prompt file {section.prompt!r} not found")
        unknown = [n for n in self.format.head if n not in names]
        if unknown:
            raise ValueError(f"format.head uses unknown field(s) {unknown}")
        return self

    def field(self, name: str) -> TemplateField:
        return next(f for f in self.fields if f.name == name)


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def load_template(path: Path) -> DraftTemplate:
    text = path.read_text(encoding="utf-8")
    try:
        tree = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{mark.line + 1}번째 줄" if mark else "위치 모름"
        raise InputError(f"서식 파일 {path.name}의 {at}에 YAML 오류가 있습니다: {getattr(exc, 'problem', exc)}",
                         code="bad_template") from exc
    try:
        return DraftTemplate.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        line = _line_of(tree, list(error["loc"]))
        where = f"{line}번째 줄" if line else "파일 전체"
        field = ".".join(str(p) for p in error["loc"]) or "(최상위)"
        if error["type"] == "extra_forbidden":
            *parent, key = error["loc"]
            raise InputError(f"서식 파일 {path.name}의 {where}에 알 수 없는 항목 '{key}'이(가) 있습니다. 철자를 "
                             f"확인하세요 (가능한 항목: {', '.join(_model_at(parent).model_fields)}).",
                             code="bad_template") from exc
        raise InputError(f"서식 파일 {path.name}의 {where}({field})가 올바르지 않습니다: {error['msg']}",
                         code="bad_template") from exc


def _model_at(loc: list[Any]) -> type[BaseModel]:
    """The model that reads the mapping at a pydantic error location (``["sections", 2]``: a TemplateSection)."""
    model: type[BaseModel] = DraftTemplate
    for key in loc:
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is not None:
            inner = [a for a in (field.annotation, *get_args(field.annotation))
                     if isinstance(a, type) and issubclass(a, BaseModel)]
            model = inner[0] if inner else model
    return model


def _line_of(node: Any, loc: list[Any]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (or of its nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def load_templates(extra: Path | None = None) -> tuple[dict[str, DraftTemplate], dict[str, str]]:
    """Built-in templates plus an administrator's folder; bad files are reported, not fatal."""
    templates: dict[str, DraftTemplate] = {}
    problems: dict[str, str] = {}
    folders = [BUILTIN] + ([extra] if extra and extra.is_dir() else [])
    order = {"press_release": 0, "report": 1, "official_letter": 2}  # the policy team's most used first
    for folder in folders:
        for path in sorted(folder.glob("*.yaml"), key=lambda p: (order.get(p.stem, 9), p.name)):
            try:
                template = load_template(path)
            except InputError as error:
                problems[path.name] = error.message
                continue
            templates[template.id] = template
    return templates, problems
