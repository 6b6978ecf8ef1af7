"""Bench data for feedback: 2,000 products, 500,000 reviews, 50,000 ideas and 2,000,000 votes at
scale 1.0, inserted by SQL on the server (generate_series), then every stored count — product
aggregates, helpful votes, idea vote counts and trending scores — computed in SQL afterwards.

Reviewers and voters are the accounts seeder's bench members; (product, author) and (idea, voter)
pairs are spread with a multiplier coprime to the member count, so they are unique by design.
"""

import asyncio
import random
import time

from django.db import connection, transaction
from django.urls import reverse

from hub.bench import (
    USERNAME_PREFIX,
    register_bench_page,
    register_bench_probe,
    register_bench_seeder,
    register_throughput_page,
)

from .models import Idea, IdeaVote, Product
from .services import TRENDING_EPOCH, TRENDING_HALF_LIFE

PRODUCTS = 2_000
REVIEWS = 500_000
IDEAS = 50_000
VOTES = 2_000_000
PRODUCT_PREFIX = "bench-product-"
IDEA_PREFIX = "Bench idea "
CATEGORIES = ["Tents", "Packs", "Cooking", "Sleeping", "Clothing", "Footwear", "Lights", "Tools"]
# One product in 200 is a best-seller with ten times the reviews: the page measured is one.
HEAVY_EVERY = 200
MEMBERS = USERNAME_PREFIX + "%"


def _member_ids() -> list[int]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(username__startswith=USERNAME_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def seed_bench_feedback(log, scale: float) -> None:
    products = max(10, round(PRODUCTS * scale))
    reviews = max(100, round(REVIEWS * scale))
    ideas = max(20, round(IDEAS * scale))
    votes = max(200, round(VOTES * scale))
    if not _member_ids():
        log("no bench members: the accounts seeder runs first")
        return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        have = Product.objects.filter(slug__startswith=PRODUCT_PREFIX).count()
        if have < products:
            cursor.execute(
                """
                INSERT INTO feedback_product (name, slug, category, description, brand, sku,
                    moderation, live, created, review_count, rating_sum,
                    stars_1, stars_2, stars_3, stars_4, stars_5)
                SELECT 'Bench product ' || g, %(prefix)s || lpad(g::text, 5, '0'),
                    (%(categories)s::text[])[1 + g %% %(ncat)s],
                    'A product made for the benchmark, number ' || g || '.', 'Trailmark',
                    'BENCH-' || g, 'post', true, now() - (g %% 900) * interval '1 day',
                    0, 0, 0, 0, 0, 0, 0
                FROM generate_series(%(first)s, %(last)s) AS g
                ON CONFLICT (slug) DO NOTHING
                """,
                {
                    "prefix": PRODUCT_PREFIX,
                    "categories": CATEGORIES,
                    "ncat": len(CATEGORIES),
                    "first": have + 1,
                    "last": products,
                },
            )
            log(f"products: {products}")
        members = _number_members(cursor)
        cursor.execute(
            "SELECT count(*) FROM feedback_review r JOIN feedback_product p ON p.id = r.product_id "
            "WHERE p.slug LIKE %s",
            [PRODUCT_PREFIX + "%"],
        )
        if cursor.fetchone()[0] < reviews * 0.9:
            _insert_reviews(cursor, reviews, members)
            log(f"reviews: {reviews} in {time.monotonic() - started:.0f} s")
        if Idea.objects.filter(title__startswith=IDEA_PREFIX).count() < ideas:
            _insert_ideas(cursor, ideas, votes, members)
            log(f"ideas and votes in {time.monotonic() - started:.0f} s")
        _derive_counts(cursor)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE feedback_product, feedback_review, feedback_helpfulvote, feedback_idea, "
            "feedback_ideavote"
        )
    log(f"aggregates derived in SQL; {time.monotonic() - started:.0f} s in all")


def _number_members(cursor) -> int:
    """A temporary table numbering the bench members 0..n-1, so a row picks its member by a
    join on a number (an array of 20,000 ids would be de-TOASTed for every row read)."""
    cursor.execute("DROP TABLE IF EXISTS bench_members")  # a second run in one transaction
    cursor.execute(
        """
        CREATE TEMPORARY TABLE bench_members ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id
        FROM accounts_user WHERE username LIKE %(members)s
        """,
        {"members": MEMBERS},
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_members (i)")
    cursor.execute("ANALYZE bench_members")
    cursor.execute("SELECT count(*) FROM bench_members")
    return cursor.fetchone()[0]


def _insert_reviews(cursor, reviews: int, members: int) -> None:
    # Products in slug order; product p gets reviews k = 0, 1, 2... from member (k*37 + p*101)
    # mod n, so no member reviews a product twice (37 is coprime with any member count that
    # is not a multiple of 37; ON CONFLICT covers that case).
    cursor.execute(
        """
        WITH products AS (
            SELECT id, (row_number() OVER (ORDER BY slug) - 1)::int AS p
            FROM feedback_product WHERE slug LIKE %(prefix)s
        ),
        weights AS (
            SELECT id, p, CASE WHEN p %% %(heavy)s = 0 THEN 10.0 ELSE 1.0 END AS w FROM products
        ),
        shares AS (
            SELECT id, p, greatest(1, round(%(reviews)s * w / sum(w) OVER ()))::int AS n
            FROM weights
        ),
        picks AS (
            SELECT s.id AS product_id, s.p, k, (k * 37 + s.p * 101) %% %(n)s AS i
            FROM shares s CROSS JOIN LATERAL generate_series(0, least(s.n, %(n)s) - 1) AS k
        )
        INSERT INTO feedback_review (product_id, author_id, rating, title, body, status,
            collected, verified, helpful_count, report_count, reply, moderation_note,
            created, updated)
        SELECT x.product_id, bm.id,
            (ARRAY[5, 4, 5, 3, 4, 5, 2, 4, 1, 5])[1 + (x.k + x.p) %% 10],
            'Review ' || x.k || ' of product ' || x.p,
            'Used it for ' || (1 + x.k %% 40) || ' nights. **Solid**, light and easy to pack.',
            CASE WHEN x.k %% 50 = 7 THEN 'pending' ELSE 'published' END,
            (ARRAY['organic', 'organic', 'organic', 'verified', 'invited'])[1 + x.k %% 5],
            x.k %% 5 = 3, 0, 0, '', '',
            now() - ((x.k * 7919 + x.p) %% 730) * interval '1 day',
            now() - ((x.k * 7919 + x.p) %% 730) * interval '1 day'
        FROM picks x JOIN bench_members bm ON bm.i = x.i
        ON CONFLICT DO NOTHING
        """,
        {"prefix": PRODUCT_PREFIX + "%", "reviews": reviews, "heavy": HEAVY_EVERY, "n": members},
    )
    # Helpful votes: a skewed few per review (none to three), from members other than its author.
    cursor.execute(
        """
        INSERT INTO feedback_helpfulvote (review_id, user_id, created)
        SELECT r.id, bm.id, r.created
        FROM feedback_review r
        CROSS JOIN LATERAL generate_series(0, (r.id * 2654435761 %% 97) / 32 - 1) AS v
        JOIN bench_members bm ON bm.i = (r.id + 1 + v * 13) %% %(n)s
        WHERE r.status = 'published' AND r.title LIKE %(title)s AND bm.id <> r.author_id
        ON CONFLICT DO NOTHING
        """,
        {"title": "Review %", "n": members},
    )


def _insert_ideas(cursor, ideas: int, votes: int, members: int) -> None:
    cursor.execute("SELECT id FROM feedback_ideacategory ORDER BY id")
    category_ids = [row[0] for row in cursor.fetchall()]
    if not category_ids:
        cursor.execute(
            "INSERT INTO feedback_ideacategory (name, slug) VALUES "
            "('Bench gear', 'bench-gear'), ('Bench community', 'bench-community') "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("SELECT id FROM feedback_ideacategory ORDER BY id")
        category_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """
        INSERT INTO feedback_idea (title, description, category_id, author_id, status,
            status_note, status_changed_at, merged_into_id, vote_count, comment_count,
            report_count, hidden, trending, created)
        SELECT %(prefix)s || g, 'An idea made for the benchmark: **number ' || g || '**.',
            (%(categories)s::bigint[])[1 + g %% %(ncat)s], bm.id,
            (ARRAY['open', 'open', 'open', 'open', 'open', 'open', 'under_review', 'planned',
                   'in_progress', 'shipped', 'declined', 'open'])[1 + g %% 12],
            CASE WHEN g %% 12 BETWEEN 6 AND 10 THEN 'A note from the team about idea ' || g
                 ELSE '' END,
            NULL, NULL, 0, 0, 0, false, 0, now() - (g %% 1000) * interval '9 hours'
        FROM generate_series(1, %(ideas)s) AS g
        JOIN bench_members bm ON bm.i = (g * 31) %% %(n)s
        """,
        {
            "prefix": IDEA_PREFIX,
            "categories": category_ids,
            "ncat": len(category_ids),
            "ideas": ideas,
            "n": members,
        },
    )
    # Votes per idea follow 1/(1 + n mod 7), scaled to the total; every 1,000th idea is a hit
    # with ten times the votes. Voter k of idea n is member (k*37 + n*101) mod members.
    cursor.execute(
        """
        WITH numbered AS (
            SELECT id, created, (row_number() OVER (ORDER BY id) - 1)::int AS n
            FROM feedback_idea WHERE title LIKE %(prefix)s
        ),
        weights AS (
            SELECT id, created, n,
                (1.0 / (1 + n %% 7)) * CASE WHEN n %% 1000 = 0 THEN 10 ELSE 1 END AS w
            FROM numbered
        ),
        shares AS (
            SELECT id, created, n, round(%(votes)s * w / sum(w) OVER ())::int AS v FROM weights
        ),
        picks AS (
            SELECT s.id, s.created, k, (k * 37 + s.n * 101) %% %(members)s AS i
            FROM shares s CROSS JOIN LATERAL generate_series(0, least(s.v, %(members)s) - 1) AS k
        )
        INSERT INTO feedback_ideavote (idea_id, user_id, created)
        SELECT x.id, bm.id, x.created + (x.k %% 500) * interval '1 minute'
        FROM picks x JOIN bench_members bm ON bm.i = x.i
        ON CONFLICT DO NOTHING
        """,
        {"prefix": IDEA_PREFIX + "%", "votes": votes, "members": members},
    )


def _derive_counts(cursor) -> None:
    """Every stored count from the rows it counts, in a few set-based statements."""
    cursor.execute(
        """
        UPDATE feedback_product p SET review_count = a.n, rating_sum = a.s,
            stars_1 = a.s1, stars_2 = a.s2, stars_3 = a.s3, stars_4 = a.s4, stars_5 = a.s5
        FROM (
            SELECT product_id, count(*) AS n, sum(rating) AS s,
                count(*) FILTER (WHERE rating = 1) AS s1, count(*) FILTER (WHERE rating = 2) AS s2,
                count(*) FILTER (WHERE rating = 3) AS s3, count(*) FILTER (WHERE rating = 4) AS s4,
                count(*) FILTER (WHERE rating = 5) AS s5
            FROM feedback_review WHERE status = 'published' GROUP BY product_id
        ) AS a
        WHERE p.id = a.product_id
        """
    )
    cursor.execute(
        """
        UPDATE feedback_review r SET helpful_count = h.n
        FROM (SELECT review_id, count(*) AS n FROM feedback_helpfulvote GROUP BY review_id) AS h
        WHERE r.id = h.review_id AND r.helpful_count <> h.n
        """
    )
    cursor.execute(
        """
        UPDATE feedback_idea i SET vote_count = v.n
        FROM (SELECT idea_id, count(*) AS n FROM feedback_ideavote GROUP BY idea_id) AS v
        WHERE i.id = v.idea_id AND i.vote_count <> v.n
        """
    )
    cursor.execute(
        """
        UPDATE feedback_idea SET trending = round((log(10, greatest(vote_count, 1))
            + (extract(epoch FROM created) - %s) / %s)::numeric, 7)
        """,
        [TRENDING_EPOCH, TRENDING_HALF_LIFE],
    )


# --- Pages and the probe -----------------------------------------------------------------------
def heavy_product_url() -> str | None:
    """The best-selling bench product (the most reviews), its reviews sorted by helpfulness."""
    product = (
        Product.objects.filter(slug__startswith=PRODUCT_PREFIX).order_by("-review_count").first()
    )
    return f"{product.get_absolute_url()}?sort=helpful" if product else None


PROBE_THREADS = 4


def _vote_many(pairs: list[tuple[int, int]]) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from .services import FeedbackError, vote_idea, withdraw_vote

    users = get_user_model().objects.in_bulk({u for u, _i in pairs})
    ideas = Idea.objects.in_bulk({i for _u, i in pairs})
    durations = []
    try:
        for user_id, idea_id in pairs:
            started = time.perf_counter()
            try:
                if not vote_idea(ideas[idea_id], by=users[user_id]):
                    withdraw_vote(ideas[idea_id], by=users[user_id])  # keep the data set as it was
            except FeedbackError:
                continue  # shipped or declined: closed for voting
            durations.append(time.perf_counter() - started)
    finally:
        connections.close_all()
    return durations


async def measure_vote_throughput(samples: int):
    """vote_idea() calls per second from several threads, half of them on the ten most-voted
    ideas (the row lock every vote on one idea queues on), half spread over the board."""
    from asgiref.sync import sync_to_async

    from hub.bench import ProbeResult

    def pick():
        from django.db import connections

        try:
            members = _member_ids()[:5000]
            hot = list(Idea.objects.order_by("-vote_count").values_list("pk", flat=True)[:10])
            spread = list(Idea.objects.filter(status="open").values_list("pk", flat=True)[:5000])
            return members, hot, spread, IdeaVote.objects.count()
        finally:
            connections.close_all()  # this worker thread's connection

    members, hot, spread, _before = await sync_to_async(pick, thread_sensitive=False)()
    if not members or not hot:
        return [ProbeResult(name="idea votes", error="no bench ideas: seed first")]
    rng = random.Random(6)
    pairs = [
        (rng.choice(members), rng.choice(hot if n % 2 else spread or hot)) for n in range(samples)
    ]
    chunks = [pairs[n::PROBE_THREADS] for n in range(PROBE_THREADS)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *[sync_to_async(_vote_many, thread_sensitive=False)(chunk) for chunk in chunks]
    )
    elapsed = time.perf_counter() - started
    durations = [d for part in results for d in part]
    *_, votes = await sync_to_async(pick, thread_sensitive=False)()
    return [
        ProbeResult(
            name=f"vote_idea() x{len(durations)}, {PROBE_THREADS} threads",
            durations=durations,
            extra={
                "votes_per_second": round(len(durations) / elapsed, 1) if elapsed else 0,
                "votes_in_table": votes,
                "threads": PROBE_THREADS,
            },
        )
    ]


# What `manage.py bench` measures of this app (this module is imported only by the bench).
register_bench_seeder("feedback", seed_bench_feedback, order=60)
register_bench_page("product list", lambda: reverse("feedback:products"), order=40)
register_bench_page("product page", heavy_product_url, as_user="member", order=41)
register_bench_page("ideas list", lambda: reverse("feedback:ideas"), as_user="member", order=42)
register_bench_page("ideas top", lambda: reverse("feedback:ideas") + "?sort=top", order=43)
register_bench_page("roadmap", lambda: reverse("feedback:roadmap"), order=44)
register_bench_probe("idea votes", measure_vote_throughput)


def _throughput_product_url() -> str | None:
    """A product page as most visitors see it: the most-reviewed product outside the bench's
    500,000-review set (the demo's), else the heaviest bench product."""
    product = (
        Product.objects.exclude(slug__startswith=PRODUCT_PREFIX).order_by("-review_count").first()
    )
    return product.get_absolute_url() if product else heavy_product_url()


register_throughput_page("products", lambda: reverse("feedback:products"), order=40)
register_throughput_page("product", _throughput_product_url, order=41)
register_throughput_page("ideas", lambda: reverse("feedback:ideas"), order=42)
