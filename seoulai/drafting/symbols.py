"""The form rules of a 공문서's items, in one place: the symbols of each level (□ → ○ → - → ·, or 1. → 가. → 1) → 가)
→ (1) → (가)), the level a line stands at, and the level a part may open at. The checks ask them whether the items
nest in order, the layout to indent each line of an export, and the templates' instructions are held to them
(tests/integration/test_export_forms.py), so the checker never flags text a template asked for."""

from __future__ import annotations

import re

# A 공문's numbered items (the first symbol "1."): each level is a pattern, not a fixed character.
_LETTER_SYMBOLS = [re.compile(p) for p in (r"^\d+\.\s", r"^[가-하]\.\s", r"^\d+\)\s", r"^[가-하]\)\s", r"^\(\d+\)\s",
                                           r"^\([가-하]\)\s")]

# The deepest level a part printed without a □ line of its own may open at, by template. A 보도자료's parts stand
# under the title as blocks of their own (a lead paragraph, □ items, a short ○ list of plans), so a part may open
# at ○; a 보고서 or a 공문 builds each part from its first symbol down.
_LOOSE_OPENING = {"press_release": 1}


def item_level(line: str, symbols: list[str]) -> int | None:
    """The index in ``symbols`` of the item symbol ``line`` starts with, or None for a line that is no item."""
    if symbols and symbols[0] == "1.":
        for index, pattern in enumerate(_LETTER_SYMBOLS[: len(symbols)]):
            if pattern.match(line):
                return index
        return None
    for index, symbol in enumerate(symbols):
        if line.startswith(symbol + " ") or (line.startswith(symbol) and len(line) > len(symbol) and
                                             line[len(symbol)] != symbol):
            if symbol == "-" and re.match(r"^-\d", line):
                return None
            return index
    return None


def opening_level(template_id: str, heading: bool) -> int:
    """The deepest level a part's first item may stand at: the level under a printed □ heading line (a 보고서's
    "□ 추진 배경"), else what the form allows a part on its own."""
    return 1 if heading else _LOOSE_OPENING.get(template_id, 0)


def instruction_level(instruction: str, symbols: list[str]) -> int | None:
    """The level of the first item symbol a template's instruction names as a word of its own ("○ 항목으로 씁니다"
    names ○; the "·" of "목적·기간" is punctuation), or None for an instruction that names none."""
    for word in instruction.split():
        level = item_level(word + " ", symbols)
        if level is not None and word in symbols:
            return level
        if symbols and symbols[0] == "1." and level is not None:
            return level
    return None
