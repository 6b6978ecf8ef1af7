"""Member pages: products and reviews, testimonials, the ideas board, the roadmap, NPS surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub import pagecache
from hub.errors import Refusal
from hub.redirects import redirect_back

from . import fragments, queries, services
from .forms import CommentForm, IdeaForm, ReportForm, ReviewForm, SurveyForm
from .models import Idea, Product, Review, ReviewPhoto, Survey


def _product_or_404(slug: str) -> Product:
    try:
        return queries.product_by_slug(slug)
    except Product.DoesNotExist:
        raise Http404 from None


def _int_or_none(value, allowed) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in allowed else None


@require_GET
def product_list(request):
    category = request.GET.get("category", "")
    pagecache.cache_for_anonymous(request, "products", query=("page", "category"))
    # The page of products is the same for everyone (kept per version of ``products``); the
    # survey banner is the member's own.
    page_obj, categories, version = queries.product_page(category, request.GET.get("page"))
    state = queries.member_state(request.user, surveys=_surveys_for(request.user))
    return render(
        request,
        "feedback/product_list.html",
        {
            "page_obj": page_obj,
            "categories": categories,
            "category": category,
            "extra_query": urlencode({"category": category}) if category else "",
            "survey": state.survey,
            "version": version,
        },
    )


def _surveys_for(user) -> list:
    return queries.surveys_open_now() if user.is_authenticated else []


@require_GET
def product_detail(request, slug):
    try:
        product, version = queries.product_for_page(slug)
    except Product.DoesNotExist:
        raise Http404 from None
    pagecache.cache_for_anonymous(
        request, f"product:{product.pk}", query=("page", "sort", "stars", "photos")
    )
    sort = request.GET.get("sort", "newest")
    if sort not in queries.REVIEW_SORTS:
        sort = "newest"
    stars = _int_or_none(request.GET.get("stars"), range(1, 6))
    with_photos = request.GET.get("photos") == "1"
    # The product, its page of reviews, gallery and JSON-LD are kept per version of
    # ``product:<pk>`` and shared; the member's helpful marks and own review are read here.
    page_obj = queries.product_reviews_page(
        product,
        version,
        sort=sort,
        stars=stars,
        page=request.GET.get("page"),
        with_photos=with_photos,
    )
    state = queries.member_state(request.user, reviews=page_obj.object_list, product=product)
    for review in page_obj.object_list:
        review.found_helpful = review.pk in state.helpful
    fragments.render_reviews(request, page_obj.object_list, product=product, version=version)
    gallery, json_ld = queries.product_extras(product, version, request)
    query = {
        k: v
        for k, v in (("sort", sort), ("stars", stars), ("photos", "1" if with_photos else ""))
        if v and v != "newest"
    }
    return render(
        request,
        "feedback/product_detail.html",
        {
            "product": product,
            "page_obj": page_obj,
            "sort": sort,
            "sorts": [
                ("newest", _("Newest")),
                ("helpful", _("Most helpful")),
                ("highest", _("Highest rated")),
                ("lowest", _("Lowest rated")),
            ],
            "stars": stars,
            "with_photos": with_photos,
            "gallery": gallery,
            "histogram": product.histogram(),
            "my_review": state.review,
            "json_ld": json_ld,
            "extra_query": urlencode(query),
            "version": version,
        },
    )


@login_required
def write_review(request, slug):
    """Write a review, or edit yours: one per member per product."""
    product = _product_or_404(slug)
    mine = queries.review_of(product, request.user)
    token = request.POST.get("invitation") or request.GET.get("invitation", "")
    invited = services.invitation_is_valid(token, request.user, product)
    if request.method == "POST":
        form = ReviewForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                review = services.submit_review(
                    product,
                    by=request.user,
                    rating=form.cleaned_data["rating"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    photos=form.cleaned_data["photos"],
                    invited=invited,
                )
            except Refusal as refused:
                form.add_error(None, refused.message)
            else:
                if review.is_published:
                    messages.success(request, _("Thank you! Your review is published."))
                else:
                    messages.success(
                        request,
                        _("Thank you! Your review will appear once a moderator has approved it."),
                    )
                return redirect(review.get_absolute_url())
    else:
        initial = {"rating": mine.rating, "title": mine.title, "body": mine.body} if mine else {}
        form = ReviewForm(initial=initial)
    return render(
        request,
        "feedback/review_form.html",
        {
            "product": product,
            "form": form,
            "my_review": mine,
            "invitation": token if invited else "",
        },
    )


@login_required
@require_POST
def delete_photo(request, pk):
    photo = get_object_or_404(ReviewPhoto.objects.select_related("review__product"), pk=pk)
    try:
        services.delete_review_photo(photo, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Photo removed."))
    return redirect("feedback:write_review", slug=photo.review.product.slug)


def _published_review(pk) -> Review:
    return get_object_or_404(
        Review.objects.select_related("product", "author"), pk=pk, status=Review.PUBLISHED
    )


@login_required
@require_POST
def helpful(request, pk):
    review = _published_review(pk)
    try:
        counted = services.mark_helpful(review, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        if counted:
            messages.success(request, _("Thanks: you found this review helpful."))
        else:
            messages.info(request, _("You had already found this review helpful."))
    return redirect(review.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request, pk):
    review = _published_review(pk)
    if request.method == "GET":
        # Each review offers a link here rather than a form of its own: a lean product page.
        return render(
            request, "feedback/report_review.html", {"review": review, "form": ReportForm()}
        )
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal(_("Choose what is wrong with the review.")))
        return redirect(review.get_absolute_url())
    try:
        services.report(review, by=request.user, reason=form.reason_text())
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Thank you. A moderator will look at this review."))
    return redirect(review.get_absolute_url())


@require_GET
def testimonials(request):
    pagecache.cache_for_anonymous(request, "testimonials")
    page_obj = Paginator(queries.testimonial_wall(), 24).get_page(request.GET.get("page"))
    return render(request, "feedback/testimonials.html", {"page_obj": page_obj})


# --- Ideas -------------------------------------------------------------------------------------
@require_GET
def idea_list(request):
    sort = request.GET.get("sort", "trending")
    if sort not in queries.IDEA_SORTS:
        sort = "trending"
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    pagecache.cache_for_anonymous(request, "ideas", query=("page", "sort", "status", "category"))
    # The page of ideas is kept per version of ``ideas`` and shared; the member's votes and
    # survey banner are read here, in one statement.
    page_obj, categories, version = queries.idea_page(
        sort=sort, status=status, category=category, number=request.GET.get("page")
    )
    state = queries.member_state(
        request.user, surveys=_surveys_for(request.user), ideas=page_obj.object_list
    )
    for idea in page_obj.object_list:
        idea.voted = idea.pk in state.voted
    fragments.render_idea_rows(request, page_obj.object_list, version=version)
    query = {k: v for k, v in (("sort", sort), ("status", status), ("category", category)) if v}
    return render(
        request,
        "feedback/idea_list.html",
        {
            "page_obj": page_obj,
            "sort": sort,
            "sorts": [("trending", _("Trending")), ("top", _("Top")), ("new", _("New"))],
            "status": status,
            "statuses": [c for c in Idea.STATUS_CHOICES if c[0] != Idea.MERGED],
            "category": category,
            "categories": categories,
            "extra_query": urlencode(query),
            "survey": state.survey,
        },
    )


@login_required
def post_idea(request):
    if request.method == "POST":
        form = IdeaForm(request.POST)
        if form.is_valid():
            try:
                idea = services.post_idea(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                )
            except Refusal as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your idea is posted, with your vote."))
                return redirect(idea)
    else:
        form = IdeaForm()
    return render(request, "feedback/idea_form.html", {"form": form})


def _idea_or_404(pk, viewer) -> Idea:
    try:
        idea = queries.idea_detail(pk, viewer)
    except Idea.DoesNotExist:
        raise Http404 from None
    if idea.hidden:
        raise Http404
    return idea


def idea_detail(request, pk):
    idea = _idea_or_404(pk, request.user)
    if idea.status == Idea.MERGED and idea.merged_into_id:
        messages.info(request, _("That idea was merged into this one; its votes count here."))
        return redirect(idea.merged_into)
    form = CommentForm()
    pagecache.cache_for_anonymous(request, f"idea:{idea.pk}")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={idea.get_absolute_url()}")
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                comment = services.comment_on_idea(
                    idea, by=request.user, body=form.cleaned_data["body"]
                )
            except Refusal as refused:
                form.add_error("body", refused.message)
            else:
                return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")
    # The idea and its comments, their @mentions looked up at once.
    comments = list(queries.idea_comments(idea))
    queries.with_html(([idea], "description"), (comments, "body"))
    return render(
        request,
        "feedback/idea_detail.html",
        {
            "idea": idea,
            "comments": comments,
            "history": queries.idea_history(idea),
            "form": form,
            "report_form": ReportForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote(request, pk):
    """POST votes (or withdraws). GET is where a visitor who chose to vote lands after signing
    in: one click finishes the vote they started, or the idea says they already voted."""
    idea = _idea_or_404(pk, request.user)
    if request.method == "GET":
        if idea.voted or idea.status in (Idea.SHIPPED, Idea.DECLINED):
            if idea.voted:
                messages.info(request, _("You have already voted for this idea."))
            return redirect(idea)
        return render(request, "feedback/vote_confirm.html", {"idea": idea})
    try:
        if request.POST.get("withdraw"):
            services.withdraw_vote(idea, by=request.user)
        else:
            services.vote_idea(idea, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
    return redirect_back(request, fallback=idea)


@login_required
@require_POST
def report_idea(request, pk):
    idea = _idea_or_404(pk, request.user)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal(_("Choose what is wrong with the idea.")))
        return redirect(idea)
    try:
        services.report(idea, by=request.user, reason=form.reason_text())
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Thank you. A moderator will look at this idea."))
    return redirect(idea)


@require_GET
def roadmap(request):
    pagecache.cache_for_anonymous(request, "ideas")
    return render(request, "feedback/roadmap.html", {"columns": queries.roadmap(request.user)})


# --- Surveys -----------------------------------------------------------------------------------
@login_required
def survey(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    answered = survey.responses.filter(user=request.user).first()
    form = SurveyForm()
    if request.method == "POST" and not answered:
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.answer_survey(
                    survey,
                    by=request.user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except Refusal as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Thank you for answering!"))
                return redirect("feedback:survey", pk=survey.pk)
    return render(
        request,
        "feedback/survey.html",
        {"survey": survey, "form": form, "answered": answered, "is_open": survey.is_open()},
    )
