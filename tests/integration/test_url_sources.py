"""URL sources over real HTTP: a local server on 127.0.0.1 serves pages, a sitemap and a 404."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from warmline.errors import InvalidInputError
from warmline.knowledge.formats import HttpxFetcher, load

PAGE = """<!doctype html><html><head><title>{title} | Acme Help</title></head><body>
<nav><a href="/">Home</a> <a href="/contact">Contact</a></nav>
<main><h1>{title}</h1><p>{text}</p><h2>Details</h2><ul><li>{detail}</li></ul></main>
<footer>Acme Inc. All rights reserved.</footer></body></html>"""


class Site(BaseHTTPRequestHandler):
    """Serves ``routes`` (path -> (status, content type, body)); anything else is a 404."""

    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, content_type, body = self.routes.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", content_type)
            body = b""
        else:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def page(title: str, text: str, detail: str) -> tuple[int, str, bytes]:
        html = PAGE.format(title=title, text=text, detail=detail)
        return 200, "text/html; charset=utf-8", html.encode()

    Site.routes = {
        "/returns": page("Returns", "Return items within 30 days.", "Drop-off is free."),
        "/shipping": page("Shipping", "We ship every weekday.", "Express arrives next day."),
        "/old-returns": (301, "/returns", b""),
        "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
        "/sitemap.xml": (
            200,
            "application/xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/returns</loc></url>"
                f"<url><loc>{base}/shipping</loc></url>"
                f"<url><loc>{base}/retired-page</loc></url>"
                "</urlset>"
            ).encode(),
        ),
    }
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_that_a_sitemap_loads_its_pages_and_reports_the_one_that_404s(site: str) -> None:
    result = load(f"{site}/sitemap.xml")
    assert [(p.article.id, p.article.title) for p in result.articles] == [
        ("returns", "Returns"),
        ("shipping", "Shipping"),
    ]
    assert [p.article.source for p in result.articles] == [f"{site}/returns", f"{site}/shipping"]
    assert len(result.failed) == 1
    where, why = result.failed[0]
    assert where == f"{site}/retired-page"
    assert "404" in why
    text = "\n".join(chunk.text for p in result.articles for chunk in p.chunks)
    assert "Drop-off is free." in text and "Express arrives next day." in text
    assert "Contact" not in text and "All rights reserved" not in text


def test_that_an_html_page_is_fetched_through_a_redirect(site: str) -> None:
    result = load(f"{site}/old-returns")
    assert result.failed == []
    (parsed,) = result.articles
    assert (parsed.article.id, parsed.article.source) == ("returns", f"{site}/returns")
    assert [chunk.section for chunk in parsed.chunks] == [None, "Details"]


def test_that_the_fetcher_names_the_url_and_status_of_a_failed_request(site: str) -> None:
    with HttpxFetcher() as fetcher, pytest.raises(InvalidInputError) as caught:
        fetcher.get(f"{site}/nope")
    assert caught.value.message == f"{site}/nope: the server answered HTTP 404 Not Found"


def test_that_a_page_over_the_size_limit_is_refused(site: str) -> None:
    with HttpxFetcher(max_bytes=1000) as fetcher:
        result = load(f"{site}/big", fetch=fetcher)
        assert result.articles == []
        assert result.failed == [(f"{site}/big", "the page is larger than 1,000 bytes")]
        assert fetcher.get(f"{site}/returns").status == 200
