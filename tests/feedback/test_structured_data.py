"""schema.org JSON-LD on product pages: valid JSON, the right types, and safe escaping."""

import json
import re

import pytest

from .factories import make_review

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_product_page_carries_product_aggregate_rating_and_reviews(client, product):
    make_review(product, rating=5, title="Great", body="Really *great*")
    make_review(product, rating=2, title="Meh", body="Not for me")
    product.refresh_from_db()
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == product.name
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 3.5,
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert {r["@type"] for r in data["review"]} == {"Review"}
    great = next(r for r in data["review"] if r["name"] == "Great")
    assert great["reviewRating"]["ratingValue"] == 5
    assert great["reviewBody"] == "Really great"
    assert great["author"] == {"@type": "Person", "name": great["author"]["name"]}


def test_review_text_cannot_break_out_of_the_script(client, product):
    make_review(product, title="</script><script>alert(1)</script>", body="x & y")
    html = client.get(product.get_absolute_url()).content.decode()
    data = json_ld(html)
    assert data["review"][0]["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_review_text_keeps_its_characters_not_html_entities(client, product):
    make_review(
        product,
        title="Tom & Jerry's <favourite>",
        body='Warm & dry at -5 °C, "really" <3\n\n`</script><script>alert(1)</script>`',
    )
    html = client.get(product.get_absolute_url()).content.decode()
    [review] = json_ld(html)["review"]
    assert review["name"] == "Tom & Jerry's <favourite>"
    assert review["reviewBody"] == (
        'Warm & dry at -5 °C, "really" <3 </script><script>alert(1)</script>'
    )
    assert "&amp;" not in html.split('type="application/ld+json">')[1].split("</script>")[0]
    assert "<script>alert(1)" not in html


def test_product_without_reviews_has_no_aggregate_rating(client, product):
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert "aggregateRating" not in data and "review" not in data
