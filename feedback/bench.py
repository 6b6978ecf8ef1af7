"""Bench data: 2,000 products, 500,000 reviews, 50,000 ideas and 2,000,000 votes (at scale 1.0)."""


def register() -> None:
    pass
