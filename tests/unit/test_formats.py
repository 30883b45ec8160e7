"""Ingestion formats: HTML, PDF, Q&A pairs, past tickets, plain text, Zendesk exports, folders,
sitemaps and URL lists (URLs through a fake fetcher: unit tests never touch the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmline.domain.knowledge import Audience
from warmline.errors import InvalidInputError
from warmline.knowledge import formats
from warmline.knowledge.formats import (
    FetchedPage,
    LoadResult,
    load,
    parse_html,
    parse_pdf,
)
from warmline.knowledge.markdown import MAX_CHUNK_CHARS

RETURNS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <title>Returns and refunds | Acme Help Center</title>
  <meta name="warmline:authoritative" content="true">
  <script>window.dataLayer = [{"event": "tracking-script"}];</script>
  <style>.banner { color: red }</style>
</head>
<body>
  <div id="onetrust-banner-sdk" class="cookie-consent">
    <p>We use cookies to improve your experience.</p><button>Accept all cookies</button>
  </div>
  <header class="site-header">
    <a href="/" class="logo">Acme Help Center</a>
    <nav aria-label="Main menu">
      <ul><li><a href="/shop">Shop now</a></li><li><a href="/signin">Sign in</a></li></ul>
    </nav>
  </header>
  <main>
    <ol class="breadcrumbs"><li><a href="/">Help Center home</a></li><li>Orders</li></ol>
    <article>
      <header><h1>Returns and refunds</h1><p class="meta">Updated 3 days ago</p></header>
      <p>You can return most items within <strong>30 days</strong> of delivery.</p>
      <h2>Return fees</h2>
      <table>
        <thead><tr><th>Method</th><th>Fee</th></tr></thead>
        <tbody>
          <tr><td>Drop-off</td><td>Free</td></tr>
          <tr><td>Prepaid label</td><td>$6.95</td></tr>
        </tbody>
      </table>
      <h2>How refunds work</h2>
      <ul>
        <li>Refunds go to the original payment method.</li>
        <li>Cards take 5-10 business days.<ul><li>Amex can take longer.</li></ul></li>
      </ul>
      <div class="article-votes">Was this article helpful? <button>Yes</button></div>
      <section class="related-articles">
        <h3>Related articles</h3>
        <ul><li><a href="/exchanges">Exchanging an item for another size</a></li></ul>
      </section>
    </article>
    <aside><h4>Popular topics</h4><ul><li>Shipping times</li></ul></aside>
  </main>
  <footer><a href="/privacy">Privacy policy</a> <a href="/terms">Terms of service</a></footer>
</body>
</html>
"""

CHROME = [
    "cookies",
    "Accept all",
    "Shop now",
    "Sign in",
    "Help Center home",
    "Updated 3 days ago",
    "tracking-script",
    "color: red",
    "Was this article helpful",
    "Related articles",
    "Exchanging an item",
    "Popular topics",
    "Shipping times",
    "Privacy policy",
    "Terms of service",
]


def minimal_pdf(pages: list[list[str]]) -> bytes:
    """A valid PDF with one text line per string on each page (Helvetica, no compression)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (" ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages))).encode(), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for number, lines in enumerate(pages):
        shown = [
            line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines
        ]
        ops = ["BT /F1 12 Tf 14 TL 72 720 Td", *(f"({line}) Tj T*" for line in shown), "ET"]
        stream = "\n".join(ops).encode() if lines else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * number)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class FakeFetcher:
    """Serves pages from a dict; anything else is a 404. Records every URL asked for."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def get(self, url: str) -> FetchedPage:
        self.asked.append(url)
        if url not in self.pages:
            return FetchedPage(url=url, status=404, content_type="text/html", body=b"Not found")
        content_type, body = self.pages[url]
        return FetchedPage(url=url, status=200, content_type=content_type, body=body)


def only(result: LoadResult) -> formats.ParsedArticle:
    assert result.failed == []
    assert len(result.articles) == 1
    return result.articles[0]


def all_text(result: LoadResult) -> str:
    return "\n".join(chunk.text for parsed in result.articles for chunk in parsed.chunks)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_that_markdown_files_still_go_through_the_markdown_parser(tmp_path: Path) -> None:
    path = write(tmp_path / "shipping.md", "---\nid: shipping\n---\n# Shipping\n\nWe ship daily.")
    parsed = only(load(path))
    assert (parsed.article.id, parsed.article.title) == ("shipping", "Shipping")
    assert [chunk.id for chunk in parsed.chunks] == ["shipping#0"]


def test_that_navigation_chrome_never_reaches_a_chunk(tmp_path: Path) -> None:
    parsed = only(load(write(tmp_path / "returns.html", RETURNS_PAGE)))
    text = "\n".join(chunk.text for chunk in parsed.chunks) + parsed.article.body
    leaked = [phrase for phrase in CHROME if phrase.lower() in text.lower()]
    assert leaked == []


def test_that_html_headings_lists_and_tables_become_sections_and_stay_whole(
    tmp_path: Path,
) -> None:
    parsed = only(load(write(tmp_path / "returns.html", RETURNS_PAGE)))
    article, chunks = parsed.article, parsed.chunks
    assert (article.id, article.title, article.authoritative) == (
        "returns",
        "Returns and refunds",
        True,
    )
    assert [chunk.section for chunk in chunks] == [None, "Return fees", "How refunds work"]
    assert "30 days" in chunks[0].text
    assert chunks[1].text.splitlines() == [
        "| Method | Fee |",
        "|---|---|",
        "| Drop-off | Free |",
        "| Prepaid label | $6.95 |",
    ]
    assert chunks[2].text.splitlines() == [
        "- Refunds go to the original payment method.",
        "- Cards take 5-10 business days.",
        "  - Amex can take longer.",
    ]


def test_that_html_meta_tags_set_the_id_audience_and_type_and_overrides_win() -> None:
    page = b"""<html><head><title>Escalations</title>
    <meta name="warmline:id" content="escalation-playbook">
    <meta name="warmline:audience" content="internal">
    <meta name="warmline:type" content="policy"></head>
    <body><p>Escalate chargebacks to the payments team.</p></body></html>"""
    parsed = parse_html(page, location="https://help.example.com/en/escalations.html")
    article = parsed.article
    assert (article.id, article.title, article.type) == (
        "escalation-playbook",
        "Escalations",
        "policy",
    )
    assert article.audience is Audience.INTERNAL
    assert article.source == "https://help.example.com/en/escalations.html"
    overridden = parse_html(page, location="x.html", overrides={"type": "guide"}).article
    assert overridden.type == "guide"


def test_that_an_html_page_without_a_meta_id_gets_a_slug_of_its_url_path() -> None:
    page = b"<html><body><main><h1>Gift cards</h1><p>Gift cards never expire.</p></main></body>"
    parsed = parse_html(page, location="https://help.example.com/hc/en-us/gift-cards/")
    assert parsed.article.id == "hc-en-us-gift-cards"
    assert parsed.chunks[0].id == "hc-en-us-gift-cards#0"


def test_that_pdf_chunks_carry_their_page_number(tmp_path: Path) -> None:
    path = tmp_path / "warranty-guide.pdf"
    path.write_bytes(
        minimal_pdf(
            [
                ["Warranty guide", "Every product has a two-year warranty."],
                ["Making a claim", "Send a photo of the fault to support."],
            ]
        )
    )
    parsed = only(load(path))
    assert (parsed.article.id, parsed.article.title) == ("warranty-guide", "Warranty guide")
    assert [chunk.section for chunk in parsed.chunks] == ["Page 1", "Page 2"]
    assert "two-year warranty" in parsed.chunks[0].text
    assert "photo of the fault" in parsed.chunks[1].text
    assert parsed.article.source == str(path)


def test_that_a_long_pdf_page_is_split_into_chunks_that_keep_the_page() -> None:
    lines = [
        f"Clause {n}: the customer may cancel within fourteen days of delivery." for n in range(60)
    ]
    parsed = parse_pdf(minimal_pdf([["Terms"], lines]), location="terms.pdf")
    page_two = [chunk for chunk in parsed.chunks if chunk.section == "Page 2"]
    assert len(page_two) > 1
    assert all(len(chunk.text) <= MAX_CHUNK_CHARS for chunk in parsed.chunks)


def test_that_a_pdf_without_text_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no extractable text"):
        parse_pdf(minimal_pdf([[], []]), location="scan.pdf")
    (tmp_path / "scan.pdf").write_bytes(minimal_pdf([[]]))
    (tmp_path / "junk.pdf").write_bytes(b"this is not a pdf")
    result = load(tmp_path)
    assert result.articles == []
    assert [(Path(where).name, "PDF" in why) for where, why in result.failed] == [
        ("junk.pdf", True),
        ("scan.pdf", True),
    ]


def test_that_each_csv_question_answer_pair_becomes_one_faq_article(tmp_path: Path) -> None:
    path = write(
        tmp_path / "faq.csv",
        "id,question,answer,url\n"
        'hours,When are you open?,"We are open 9-5, Monday to Friday.",https://acme.test/hours\n'
        ",Do you ship abroad?,Yes: to 40 countries.,\n",
    )
    result = load(path)
    assert result.failed == []
    hours, shipping = (parsed.article for parsed in result.articles)
    assert (hours.id, hours.type, hours.title) == ("hours", "faq", "When are you open?")
    assert hours.body == "When are you open?\n\nWe are open 9-5, Monday to Friday."
    assert hours.source == "https://acme.test/hours"
    assert hours.audience is Audience.CUSTOMER
    assert shipping.id == "faq-do-you-ship-abroad"
    assert shipping.source == str(path)
    assert [len(parsed.chunks) for parsed in result.articles] == [1, 1]


def test_that_json_faqs_load_from_a_list_or_a_faqs_object(tmp_path: Path) -> None:
    pair = {"question": "Can I change my address?", "answer": "Yes, until the order ships."}
    listed = load(write(tmp_path / "a.json", json.dumps([pair])))
    wrapped = load(write(tmp_path / "b.json", json.dumps({"faqs": [pair, {"question": "Hm?"}]})))
    assert only(listed).article.title == "Can I change my address?"
    assert only(listed).chunks[0].text == "Can I change my address?\n\nYes, until the order ships."
    assert [parsed.article.type for parsed in wrapped.articles] == ["faq"]
    assert wrapped.failed == [(f"{tmp_path / 'b.json'} (item 2)", "the answer is empty")]


def test_that_past_tickets_default_to_internal_and_not_authoritative(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tickets.csv",
        "ticket_id,subject,body,agent_response\n"
        "4821,Parcel marked delivered,It never arrived.,We opened a carrier trace and reshipped.\n",
    )
    article = only(load(path)).article
    assert (article.id, article.type, article.title) == (
        "ticket-4821",
        "ticket",
        "Parcel marked delivered",
    )
    assert article.authoritative is False
    assert article.audience is Audience.INTERNAL
    assert "It never arrived." in article.body and "carrier trace" in article.body


def test_that_overrides_force_a_ticket_shape_and_can_set_the_audience(tmp_path: Path) -> None:
    path = write(
        tmp_path / "export.json",
        json.dumps([{"question": "Refund for order 12?", "answer": "Refunded in full."}]),
    )
    forced = only(load(path, overrides={"type": "ticket"})).article
    assert (forced.type, forced.audience) == ("ticket", Audience.INTERNAL)
    customer = only(load(path, overrides={"type": "ticket", "audience": "customer"})).article
    assert customer.audience is Audience.CUSTOMER


def test_that_plain_text_takes_its_title_from_the_first_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "loyalty.txt",
        "Loyalty programme\n\nMembers earn one point per dollar.\n\nPoints expire after a year.\n",
    )
    parsed = only(load(path))
    assert (parsed.article.id, parsed.article.title) == ("loyalty", "Loyalty programme")
    assert "Points expire after a year." in parsed.chunks[-1].text
    assert all("Loyalty programme" not in chunk.text for chunk in parsed.chunks)


def test_that_a_zendesk_export_skips_drafts_and_cleans_bodies(tmp_path: Path) -> None:
    export = {
        "articles": [
            {
                "id": 360001,
                "title": "Resetting your password",
                "body": "<p>Open <b>Settings</b>.</p><h2>On mobile</h2><ol><li>Tap Profile</li>"
                "<li>Tap Reset</li></ol><script>track()</script>",
                "html_url": "https://acme.zendesk.com/hc/en-us/articles/360001",
                "draft": False,
                "locale": "en-us",
                "section_id": 7,
                "updated_at": "2026-01-02T10:00:00Z",
            },
            {"id": 360002, "title": "Unreleased feature", "body": "<p>Secret</p>", "draft": True},
        ]
    }
    result = load(write(tmp_path / "zendesk.json", json.dumps(export)))
    parsed = only(result)
    article = parsed.article
    assert (article.id, article.title) == ("zendesk-360001", "Resetting your password")
    assert article.source == "https://acme.zendesk.com/hc/en-us/articles/360001"
    assert [chunk.section for chunk in parsed.chunks] == [None, "On mobile"]
    assert parsed.chunks[1].text == "1. Tap Profile\n2. Tap Reset"
    assert "track()" not in article.body and "Secret" not in article.body


def test_that_a_folder_reports_a_broken_file_and_loads_the_rest(tmp_path: Path) -> None:
    write(tmp_path / "b" / "shipping.md", "# Shipping\n\nWe ship every weekday.")
    write(tmp_path / "a" / "hours.txt", "Opening hours\n\nNine to five.")
    write(tmp_path / "a" / "broken.json", "{not json")
    write(tmp_path / "notes.docx", "ignored: unsupported extension")
    write(tmp_path / ".git" / "config.txt", "ignored: hidden folder")
    result = load(tmp_path)
    assert [parsed.article.id for parsed in result.articles] == ["hours", "shipping"]
    assert len(result.failed) == 1
    where, why = result.failed[0]
    assert where == str(tmp_path / "a" / "broken.json")
    assert why.startswith("not valid JSON")


def test_that_a_missing_location_is_reported_rather_than_raised(tmp_path: Path) -> None:
    result = load(tmp_path / "nowhere")
    assert result.failed == [(str(tmp_path / "nowhere"), "no such file or folder")]


def test_that_the_same_article_id_twice_in_one_load_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "en" / "returns.md", "# Returns\n\nThirty days.")
    write(tmp_path / "fr" / "returns.md", "# Retours\n\nTrente jours.")
    result = load(tmp_path)
    assert [parsed.article.title for parsed in result.articles] == ["Returns"]
    assert result.failed == [
        (
            str(tmp_path / "fr" / "returns.md"),
            f"duplicate article id 'returns' (also {tmp_path / 'en' / 'returns.md'})",
        )
    ]


def test_that_an_unchanged_source_keeps_its_content_hash(tmp_path: Path) -> None:
    path = write(tmp_path / "returns.html", RETURNS_PAGE)
    first = only(load(path)).article.content_hash
    assert only(load(path)).article.content_hash == first
    write(path, RETURNS_PAGE.replace("30 days", "45 days"))
    assert only(load(path)).article.content_hash != first


def test_that_a_sitemap_loads_every_page_and_reports_the_missing_one() -> None:
    page = "<html><body><main><h1>{0}</h1><p>All about {0}.</p></main></body></html>"
    fetcher = FakeFetcher(
        {
            "https://acme.test/sitemap.xml": (
                "application/xml",
                b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                b'sitemap/0.9"><sitemap><loc>https://acme.test/help.xml</loc></sitemap>'
                b"</sitemapindex>",
            ),
            "https://acme.test/help.xml": (
                "text/xml",
                b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                b"<url><loc>https://acme.test/returns</loc></url>"
                b"<url><loc>https://acme.test/shipping</loc></url>"
                b"<url><loc>https://acme.test/gone</loc></url></urlset>",
            ),
            "https://acme.test/returns": ("text/html", page.format("Returns").encode()),
            "https://acme.test/shipping": ("text/html", page.format("Shipping").encode()),
        }
    )
    result = load("https://acme.test/sitemap.xml", fetch=fetcher)
    assert [(p.article.id, p.article.source) for p in result.articles] == [
        ("returns", "https://acme.test/returns"),
        ("shipping", "https://acme.test/shipping"),
    ]
    assert result.failed == [("https://acme.test/gone", "the server answered HTTP 404")]


def test_that_a_sitemap_stops_at_the_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_SITEMAP_PAGES", 2)
    urls = [f"https://acme.test/p{n}" for n in range(4)]
    locs = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    pages = {url: ("text/html", b"<p>Some help text.</p>") for url in urls}
    pages["https://acme.test/sitemap.xml"] = ("text/xml", f"<urlset>{locs}</urlset>".encode())
    fetcher = FakeFetcher(pages)
    result = load("https://acme.test/sitemap.xml", fetch=fetcher)
    assert len(result.articles) == 2
    assert fetcher.asked == ["https://acme.test/sitemap.xml", *urls[:2]]
    assert result.failed == [
        ("https://acme.test/sitemap.xml", "more than 2 pages; the rest were skipped")
    ]


def test_that_a_url_list_file_fetches_each_url_and_skips_comments(tmp_path: Path) -> None:
    path = write(
        tmp_path / "help-center.urls.txt",
        "# pages to ingest\nhttps://acme.test/faq.json\n\nhttps://acme.test/guide.pdf\nftp://x\n",
    )
    fetcher = FakeFetcher(
        {
            "https://acme.test/faq.json": (
                "application/json",
                b'[{"question": "Is there an app?", "answer": "Yes, on iOS and Android."}]',
            ),
            "https://acme.test/guide.pdf": (
                "application/pdf",
                minimal_pdf([["Setup guide", "Plug it in."]]),
            ),
        }
    )
    result = load(path, fetch=fetcher)
    assert [(p.article.type, p.article.source) for p in result.articles] == [
        ("faq", "https://acme.test/faq.json"),
        ("article", "https://acme.test/guide.pdf"),
    ]
    assert result.failed == [(f"{path} (line 5)", "not an http(s) URL: 'ftp://x'")]


def test_that_zendesk_translations_get_locale_ids_and_restricted_articles_stay_internal(
    tmp_path: Path,
) -> None:
    export = {
        "articles": [
            {"id": 9, "title": "Returns", "body": "<p>Thirty days.</p>", "locale": "en-us"},
            {"id": 9, "title": "Retours", "body": "<p>Trente jours.</p>", "locale": "fr"},
            {
                "id": 10,
                "title": "Refund approvals",
                "body": "<p>Team leads approve refunds over $500.</p>",
                "locale": "en-us",
                "user_segment_id": 42,
            },
        ]
    }
    result = load(write(tmp_path / "zendesk.json", json.dumps(export)))
    assert result.failed == []
    assert [(p.article.id, p.article.audience) for p in result.articles] == [
        ("zendesk-9-en-us", Audience.CUSTOMER),
        ("zendesk-9-fr", Audience.CUSTOMER),
        ("zendesk-10-en-us", Audience.INTERNAL),
    ]


def test_that_a_sitemap_never_fetches_pages_of_another_site() -> None:
    fetcher = FakeFetcher(
        {
            "https://acme.test/sitemap.xml": (
                "text/xml",
                b"<urlset><url><loc>https://www.acme.test/ok</loc></url>"
                b"<url><loc>http://169.254.169.254/latest/meta-data</loc></url></urlset>",
            ),
            "https://www.acme.test/ok": ("text/html", b"<h1>Ok</h1><p>Fine.</p>"),
        }
    )
    result = load("https://acme.test/sitemap.xml", fetch=fetcher)
    assert [p.article.id for p in result.articles] == ["ok"]
    assert fetcher.asked == ["https://acme.test/sitemap.xml", "https://www.acme.test/ok"]
    assert result.failed == [
        (
            "http://169.254.169.254/latest/meta-data",
            "not on the sitemap's own site (acme.test), so it was not fetched",
        )
    ]


def test_that_a_url_is_parsed_by_its_content_type_then_its_extension() -> None:
    fetcher = FakeFetcher(
        {
            "https://acme.test/docs/warranty.md": (
                "text/plain; charset=utf-8",
                b"---\ntype: policy\n---\n# Warranty\n\nTwo years on everything.",
            ),
            "https://acme.test/notes": ("text/plain", b"Store hours\n\nNine to five."),
            "https://acme.test/page": ("application/octet-stream", b"<!DOCTYPE html><p>Hi.</p>"),
        }
    )
    found = {}
    for url in fetcher.pages:
        parsed = only(load(url, fetch=fetcher))
        found[url] = (parsed.article.id, parsed.article.type, parsed.article.title)
    assert found == {
        "https://acme.test/docs/warranty.md": ("docs-warranty", "policy", "Warranty"),
        "https://acme.test/notes": ("notes", "article", "Store hours"),
        "https://acme.test/page": ("page", "article", "Page"),
    }


def test_that_section_headers_keep_their_headings_and_code_never_becomes_a_heading() -> None:
    page = """<html><body><article>
    <header><h1>Using the API</h1><p class="byline">By the docs team</p></header>
    <section><header><h2>Authentication</h2><time>2026-01-01</time></header>
    <p>Send your key in a header:</p>
    <pre># set the key first
export ACME_KEY=secret</pre></section>
    <details><summary>Is there a rate limit?</summary><p>Yes, 60 requests a minute.</p></details>
    </article></body></html>"""
    parsed = parse_html(page, location="api.html")
    assert parsed.article.title == "Using the API"
    assert [chunk.section for chunk in parsed.chunks] == ["Authentication"]
    text = parsed.chunks[0].text
    assert "    # set the key first" in text and "Is there a rate limit?" in text
    assert "docs team" not in text and "2026-01-01" not in text
