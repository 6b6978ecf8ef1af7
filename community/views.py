"""Forum and story-comment pages: parse the request, call one service or query, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_comments_xtd.models import XtdComment

from hub import pagecache
from hub.composer import preview_response
from hub.content.models import StoryPage
from hub.converters import parse_id
from hub.deferred import after_response
from hub.errors import Refusal
from hub.redirects import action_done, safe_next

from . import fragments, queries, rendering, services
from .forms import (
    CommentForm,
    EditPostForm,
    FlagForm,
    MergeTopicForm,
    ModerationReasonForm,
    MoveTopicForm,
    ReplyForm,
    SubscriptionForm,
    TopicForm,
)
from .models import Category, Post, Reaction, Topic

SEARCH_PER_PAGE = 20


def _posted(request):
    """The POST data of a POST, even an empty one (so its errors show), else None."""
    return request.POST if request.method == "POST" else None


def _bound(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        raise Http404 from None


def _context(request, **extra):
    user = request.user
    extra.setdefault("suspension", queries.shown_suspension(user))
    extra.setdefault("is_moderator", queries.is_moderator(user))
    return extra


# --- Listings -----------------------------------------------------------------------------------
@require_GET
def index(request):
    categories = queries.categories_index(request.user)
    pagecache.cache_for_anonymous(request, "forum")
    return render(request, "community/index.html", _context(request, categories=categories))


@require_GET
def latest(request):
    page = queries.latest_topics(request.user, request.GET.get("page"))
    fragments.render_topic_rows(request, page.object_list, show_category=True)
    pagecache.cache_for_anonymous(request, "forum")
    return render(
        request,
        "community/topic_list.html",
        _context(request, page_obj=page, topics=page.object_list, view="latest"),
    )


@require_GET
def unanswered(request):
    page = queries.latest_topics(request.user, request.GET.get("page"), unanswered=True)
    fragments.render_topic_rows(request, page.object_list, show_category=True)
    pagecache.cache_for_anonymous(request, "forum")
    return render(
        request,
        "community/topic_list.html",
        _context(request, page_obj=page, topics=page.object_list, view="unanswered"),
    )


@require_GET
def category(request, slug):
    found = queries.category_by_slug(slug)
    page = queries.category_topics(found, request.user, request.GET.get("page"))
    fragments.render_topic_rows(request, page.object_list)
    pagecache.cache_for_anonymous(request, f"category:{found.pk}")
    return render(
        request,
        "community/category.html",
        _context(
            request,
            category=found,
            page_obj=page,
            topics=page.object_list,
            may_start=queries.may_start_topic(request.user, found),
            subscription=queries.subscription_level(request.user, category=found),
        ),
    )


# --- Writing ------------------------------------------------------------------------------------
def _preview(form) -> str:
    body = form.data.get("body", "")
    return rendering.render_post(body)[0] if body.strip() else ""


@require_POST
def preview(request):
    """The composer's live preview of a post or comment: exactly what posting it would show,
    @mentions linked (JSON; members only, rate limited, see hub.composer)."""
    return preview_response(request, lambda text: rendering.render_post(text)[0])


@login_required
def new_topic(request, slug):
    found = get_object_or_404(Category, slug=slug)
    if not queries.may_start_topic(request.user, found):
        raise PermissionDenied
    form = TopicForm(*_bound(request))
    preview = ""
    if request.method == "POST":
        if "preview" in request.POST:
            preview = _preview(form)
        elif form.is_valid():
            try:
                topic = services.create_topic(
                    by=request.user,
                    category=found,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    image=form.cleaned_data.get("image"),
                )
            except Refusal as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your topic is posted."))
                return redirect(topic.get_absolute_url())
    status = (
        400 if request.method == "POST" and form.errors and "preview" not in request.POST else 200
    )
    return render(
        request,
        "community/new_topic.html",
        _context(request, category=found, form=form, preview=preview),
        status=status,
    )


def _answerable(topic, pk) -> Post | None:
    """The post of this topic a reply may answer or quote: visible to everyone."""
    if not pk:
        return None
    return (
        Post.objects.filter(pk=pk, topic=topic, hidden=False, deleted_at__isnull=True)
        .select_related("author")
        .first()
    )


def _topic_response(
    request, topic, page_number, *, form=None, preview="", status=200, version=None
):
    if version is None:
        version = queries.topic_version(topic.pk)
    page = queries.topic_page(topic, request.user, page_number, decorate=False, version=version)
    if page.posts and (page.read_number or 0) < page.posts[-1].number:
        # After the response: this page already shows what was unread before it.
        after_response(request, services.mark_read, request.user, topic, page.posts[-1].number)
    quote = None
    if form is None:
        initial = {}
        quoted = parse_id(request.GET.get("quote"))
        answered = parse_id(request.GET.get("reply"))
        if quoted:
            quote = _answerable(topic, quoted)
            if quote:
                author = quote.author.username if quote.author else ""
                lines = "\n".join(f"> {line}" for line in quote.body.splitlines())
                initial = {"body": f"@{author} wrote:\n{lines}\n\n", "reply_to": quote.pk}
        elif answered:
            quote = _answerable(topic, answered)
            if quote:
                initial = {"reply_to": quote.pk}
        form = ReplyForm(initial=initial)
        replying_to = quote
    else:
        replying_to = _answerable(topic, parse_id(form.data.get("reply_to")))
    moderator = queries.is_moderator(request.user)
    can_moderate_topic = request.user.has_perm("community.moderate_topic")
    context = _context(
        request,
        topic=topic,
        category=topic.category,
        topic_page=page,
        page_obj=page,
        posts=page.posts,
        form=form,
        preview=preview,
        reactions=Reaction.CHOICES,
        emoji=Reaction.EMOJI,
        can_reply=request.user.is_authenticated and (not topic.locked or moderator),
        can_accept=topic.category.is_qa
        and request.user.is_authenticated
        and (moderator or topic.author_id == request.user.pk),
        can_moderate_topic=can_moderate_topic,
        is_last_page=page.number == page.num_pages,
        # Only moderators see these forms: not built for everyone else.
        move_form=MoveTopicForm(initial={"category": topic.category_id})
        if can_moderate_topic
        else None,
        merge_form=MergeTopicForm() if can_moderate_topic else None,
        levels=SubscriptionForm.base_fields["level"].choices,
        focus_quote=bool(quote),
        replying_to=replying_to,
        last_shown=page.posts[-1].number if page.posts else 0,
        # The empty reply form is the same for everyone: kept once per topic (hub.fragments).
        plain_reply_form=topic.pk if not (form.is_bound or form.initial or preview) else None,
    )
    fragments.render_posts(
        request, page.posts, topic=topic, topic_page=page, context=context, version=version
    )
    return render(request, "community/topic.html", context, status=status)


@require_GET
def topic(request, pk, slug=None):
    version = queries.topic_version(pk)
    found = queries.visible_topic(pk, request.user, version=version)
    if found.merged_into_id and not queries.is_moderator(request.user):
        return redirect(found.merged_into.get_absolute_url(), permanent=True)
    if slug != (found.slug or "-"):
        return redirect(found.get_absolute_url(), permanent=True)
    number = _page_number(request)
    if number > queries.num_pages(found):
        raise Http404
    pagecache.cache_for_anonymous(request, f"topic:{found.pk}")
    return _topic_response(request, found, number, version=version)


@require_GET
def topic_unread(request, pk):
    found = queries.visible_topic(pk, request.user)
    number = queries.first_unread_number(found, request.user)
    page = queries.page_for_number(number)
    return redirect(f"{found.get_absolute_url()}?page={page}#p{number}")


@require_GET
def topic_posts(request, pk):
    """New posts after ``after`` as HTML, for the live update of an open topic page."""
    found = queries.visible_topic(pk, request.user)
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        return HttpResponseBadRequest()
    posts = queries.posts_after(found, request.user, after, decorate=False)
    if posts:
        after_response(request, services.mark_read, request.user, found, posts[-1].number)
    moderator = queries.is_moderator(request.user)
    context = {
        "posts": posts,
        "topic": found,
        "topic_page": {"num_pages": queries.num_pages(found)},
        "reactions": Reaction.CHOICES,
        "is_moderator": moderator,
        "can_reply": request.user.is_authenticated and (not found.locked or moderator),
        "can_accept": found.category.is_qa
        and request.user.is_authenticated
        and (moderator or found.author_id == request.user.pk),
        "suspension": queries.shown_suspension(request.user),
    }
    fragments.render_posts(
        request, posts, topic=found, topic_page=context["topic_page"], context=context
    )
    return render(request, "community/includes/post_list.html", context)


@login_required
@require_POST
def reply(request, pk):
    found = queries.visible_topic(pk, request.user)
    form = ReplyForm(request.POST, request.FILES)
    last_page = queries.num_pages(found)
    if "preview" in request.POST:
        return _topic_response(request, found, last_page, form=form, preview=_preview(form))
    if form.is_valid():
        reply_to = None
        if form.cleaned_data.get("reply_to"):
            reply_to = Post.objects.filter(pk=form.cleaned_data["reply_to"], topic=found).first()
        try:
            post = services.create_reply(
                by=request.user,
                topic=found,
                body=form.cleaned_data["body"],
                image=form.cleaned_data.get("image"),
                reply_to=reply_to,
            )
        except Refusal as refused:
            form.add_error(None, refused.message)
        else:
            return redirect(post_anchor(post))
    return _topic_response(request, found, last_page, form=form, status=400)


def post_anchor(post: Post) -> str:
    page = queries.page_for_number(post.number)
    query = f"?page={page}" if page > 1 else ""
    return f"{post.topic.get_absolute_url()}{query}#p{post.number}"


@require_GET
def post(request, pk):
    found = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    queries.visible_topic(found.topic_id, request.user)
    return redirect(post_anchor(found))


def _post_for(request, pk) -> Post:
    """The post, for pages and actions on it: a deleted or hidden post is not found, except by
    moderators (its words must not show on a flag page, an edit form or anywhere else)."""
    found = get_object_or_404(
        Post.objects.select_related("topic", "topic__category", "author"), pk=pk
    )
    queries.visible_topic(found.topic_id, request.user)
    if not found.visible and not queries.is_moderator(request.user):
        raise Http404
    return found


@login_required
def edit_post(request, pk):
    found = _post_for(request, pk)
    if not (queries.is_moderator(request.user) or found.author_id == request.user.pk):
        raise PermissionDenied
    initial = {"body": found.body, "title": found.topic.title}
    form = EditPostForm(_posted(request), initial=initial)
    preview = ""
    if request.method == "POST":
        if "preview" in request.POST:
            preview = _preview(form)
        elif form.is_valid():
            try:
                services.edit_post(
                    found,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    title=form.cleaned_data["title"] if found.is_first else None,
                )
            except Refusal as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(post_anchor(found))
    return render(
        request,
        "community/edit_post.html",
        _context(request, post=found, topic=found.topic, form=form, preview=preview),
        status=400 if form.errors else 200,
    )


def _confirm(
    request,
    post,
    *,
    heading,
    submit_label="",
    danger=False,
    ask_reason=False,
    reactions=(),
    comment=None,
    back="",
    **hidden,
):
    """The page that holds the form of an action the post's links offer: without JavaScript the
    link opens it; with JavaScript the link posts at once (static/js/actions.js)."""
    return render(
        request,
        "community/confirm.html",
        _context(
            request,
            post=post,
            topic=post.topic if post else None,
            comment=comment,
            heading=heading,
            submit_label=submit_label,
            danger=danger,
            ask_reason=ask_reason,
            reactions=reactions,
            hidden={k: v for k, v in hidden.items() if v},
            back=back or post_anchor(post),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_post(request, pk):
    found = _post_for(request, pk)
    if request.method == "GET":
        if not (found.author_id == request.user.pk or queries.is_moderator(request.user)):
            raise PermissionDenied
        return _confirm(
            request, found, heading=_("Delete this post?"), submit_label=_("Delete"), danger=True
        )
    try:
        services.delete_post(found, by=request.user, reason=request.POST.get("reason", ""))
    except Refusal as refused:
        messages.error(request, refused.message)
        return action_done(request, post_anchor(found))
    messages.success(request, _("The post is deleted."))
    if found.is_first:
        return action_done(request, found.topic.category.get_absolute_url())
    return action_done(request, post_anchor(found))


def _reaction_choice(request) -> tuple[str, bool]:
    """The kind a reaction button posted and whether it takes the reaction back: the buttons of
    one form send ``kind=<kind>`` or, for the member's own, ``undo=<kind>`` (``undo=1`` beside a
    ``kind`` is still understood)."""
    undo = request.POST.get("undo", "")
    if undo and undo != "1":
        return undo, True
    return request.POST.get("kind", Reaction.LIKE), bool(undo)


def _wants_fragment(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _reaction_form(request, item, react_url, may_react):
    """The fresh reaction form of a post or comment, for the page's script to swap in."""
    return render(
        request,
        "community/includes/reactions.html",
        {"item": item, "react_url": react_url, "may_react": may_react},
    )


@login_required
@require_http_methods(["GET", "POST"])
def react(request, pk):
    found = _post_for(request, pk)
    if request.method == "GET":
        # Without JavaScript the React link opens this page of choices.
        return _confirm(request, found, heading=_("React"), reactions=Reaction.CHOICES)
    kind, undo = _reaction_choice(request)
    try:
        if undo:
            services.unreact(found, kind, by=request.user)
        else:
            services.react(found, kind, by=request.user)
    except Refusal as refused:
        if _wants_fragment(request):
            return HttpResponseBadRequest(refused.message, content_type="text/plain")
        messages.error(request, refused.message)
    if _wants_fragment(request):
        queries.decorate_posts([found], request.user)
        return _reaction_form(request, found, request.path, may_react=True)
    return action_done(request, post_anchor(found))


@login_required
def flag_post(request, pk):
    found = _post_for(request, pk)
    form = FlagForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(
                found,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except Refusal as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Thank you. Moderators will look at this post."))
            return redirect(post_anchor(found))
    return render(
        request,
        "community/flag.html",
        _context(request, post=found, topic=found.topic, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_answer(request, pk):
    found = _post_for(request, pk)
    if request.method == "GET":
        topic = found.topic
        if not (
            topic.category.is_qa
            and (queries.is_moderator(request.user) or topic.author_id == request.user.pk)
        ):
            raise PermissionDenied
        undo = bool(request.GET.get("undo"))
        label = _("Unaccept answer") if undo else _("Accept as answer")
        return _confirm(request, found, heading=label, submit_label=label, undo="1" if undo else "")
    try:
        if request.POST.get("undo"):
            services.unaccept_answer(found.topic, by=request.user)
        else:
            services.accept_answer(found, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
    return action_done(request, post_anchor(found))


@login_required
def post_history(request, pk):
    found = _post_for(request, pk)
    if not request.user.has_perm("community.view_postrevision"):
        raise PermissionDenied
    return render(
        request,
        "community/post_history.html",
        _context(request, post=found, topic=found.topic, revisions=queries.revisions_of(found)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate_post(request, pk, action):
    found = _post_for(request, pk)
    if request.method == "GET":
        if action not in ("hide", "restore"):
            raise Http404
        if not queries.is_moderator(request.user):
            raise PermissionDenied
        if action == "hide":
            return _confirm(
                request,
                found,
                heading=_("Hide post"),
                submit_label=_("Hide post"),
                danger=True,
                ask_reason=True,
            )
        return _confirm(request, found, heading=_("Restore"), submit_label=_("Restore"))
    form = ModerationReasonForm(request.POST)
    reason = form.data.get("reason", "")[:255]
    try:
        if action == "hide":
            services.hide_post(found, by=request.user, reason=reason)
            messages.success(request, _("The post is hidden and its points reversed."))
        elif action == "restore":
            services.restore_post(found, by=request.user, reason=reason)
            messages.success(request, _("The post is restored."))
        else:
            raise Http404
    except Refusal as refused:
        raise PermissionDenied(refused.message) from None
    return action_done(request, post_anchor(found))


@login_required
@require_POST
def moderate_topic(request, pk, action):
    found = queries.visible_topic(pk, request.user)
    if not request.user.has_perm("community.moderate_topic"):
        raise PermissionDenied
    reason = request.POST.get("reason", "")[:255]
    try:
        if action in ("lock", "unlock"):
            services.lock_topic(found, by=request.user, locked=action == "lock", reason=reason)
        elif action in ("pin", "unpin"):
            services.pin_topic(found, by=request.user, pinned=action == "pin", reason=reason)
        elif action == "move":
            form = MoveTopicForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the category to move the topic to."))
                return redirect(found.get_absolute_url())
            services.move_topic(
                found, to=form.cleaned_data["category"], by=request.user, reason=reason
            )
        elif action == "merge":
            form = MergeTopicForm(request.POST)
            into = None
            if form.is_valid():
                into = Topic.objects.filter(pk=form.cleaned_data["into"], hidden=False).first()
            if into is None:
                messages.error(request, _("There is no open topic with that number."))
                return redirect(found.get_absolute_url())
            target = services.merge_topics(found, into=into, by=request.user, reason=reason)
            messages.success(request, _("The topics are merged."))
            return redirect(target.get_absolute_url())
        else:
            raise Http404
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Done."))
    return redirect(found.get_absolute_url())


def _back(request, fallback: str) -> str:
    return safe_next(request, fallback)


@login_required
@require_POST
def subscribe_topic(request, pk):
    found = queries.visible_topic(pk, request.user)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        services.set_subscription(request.user, form.cleaned_data["level"], topic=found)
        messages.success(request, _("Your notification setting for this topic is saved."))
    return redirect(_back(request, found.get_absolute_url()))


@login_required
@require_POST
def subscribe_category(request, slug):
    found = get_object_or_404(Category, slug=slug)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        services.set_subscription(request.user, form.cleaned_data["level"], category=found)
        messages.success(request, _("Your notification setting for this category is saved."))
    return redirect(found.get_absolute_url())


@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    page = None
    topics = []
    if query:
        results = queries.search_posts(query)
        page = Paginator(results, SEARCH_PER_PAGE).get_page(request.GET.get("page"))
        posts = list(page.object_list)
        topic_ids = {p.topic_id for p in posts}
        by_id = Topic.objects.filter(pk__in=topic_ids, hidden=False).in_bulk()
        page.object_list = [p for p in posts if p.topic_id in by_id]
        for p in page.object_list:
            p.topic = by_id[p.topic_id]
        if page.number == 1:
            topics = list(queries.search_topics(query)[:5])
    return render(
        request,
        "community/search.html",
        _context(
            request,
            query=query,
            page_obj=page,
            topics=topics,
            extra_query=urlencode({"q": query}),
        ),
    )


# --- Comments on stories ------------------------------------------------------------------------
def _story(pk) -> StoryPage:
    story = StoryPage.objects.live().public().filter(pk=pk).first()
    if story is None:
        raise Http404
    return story


def _comment_for(request, pk) -> tuple[XtdComment, StoryPage]:
    """The comment and its story: a removed or hidden comment is not found, except by
    moderators."""
    comment = get_object_or_404(XtdComment, pk=pk)
    if comment.content_type.model_class() is not StoryPage:
        raise Http404
    if (comment.is_removed or not comment.is_public) and not queries.is_moderator(request.user):
        raise Http404
    return comment, _story(comment.object_pk)


@login_required
@require_POST
def post_comment(request, story_pk):
    story = _story(story_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = XtdComment.objects.filter(
                pk=form.cleaned_data["parent"], is_removed=False, is_public=True
            ).first()
        try:
            comment = services.post_comment(
                by=request.user,
                target=story,
                body=form.cleaned_data["body"],
                parent=parent,
                followup=form.cleaned_data["followup"],
            )
        except Refusal as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(f"{story.url}#c{comment.pk}")
    # Show the story again with the form (and what was typed) and its errors.
    response = story.serve(request)
    if hasattr(response, "context_data"):
        response.context_data["comment_form"] = form
        response.status_code = 400
    return response


@login_required
@require_http_methods(["GET", "POST"])
def react_comment(request, pk):
    comment, story = _comment_for(request, pk)
    back = f"{story.url}#c{comment.pk}"
    if request.method == "GET":
        return _confirm(
            request,
            None,
            comment=comment,
            back=back,
            heading=_("React"),
            reactions=Reaction.CHOICES,
        )
    kind, undo = _reaction_choice(request)
    try:
        if undo:
            services.unreact_comment(comment, kind, by=request.user)
        else:
            services.react_comment(comment, kind, by=request.user)
    except Refusal as refused:
        if _wants_fragment(request):
            return HttpResponseBadRequest(refused.message, content_type="text/plain")
        messages.error(request, refused.message)
    if _wants_fragment(request):
        queries.decorate_comments([comment], request.user)
        return _reaction_form(request, comment, request.path, may_react=True)
    return action_done(request, back)


@login_required
def flag_comment(request, pk):
    comment, story = _comment_for(request, pk)
    form = FlagForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_comment(
                comment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except Refusal as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Thank you. Moderators will look at this comment."))
            return redirect(f"{story.url}#c{comment.pk}")
    return render(
        request,
        "community/flag.html",
        _context(request, comment=comment, story=story, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request, pk):
    comment, story = _comment_for(request, pk)
    if request.method == "GET":
        if comment.user_id != request.user.pk:
            raise PermissionDenied
        return _confirm(
            request,
            None,
            comment=comment,
            back=f"{story.url}#c{comment.pk}",
            heading=_("Delete this comment?"),
            submit_label=_("Delete"),
            danger=True,
        )
    try:
        services.delete_comment(comment, by=request.user)
    except Refusal as refused:
        raise PermissionDenied(refused.message) from None
    messages.success(request, _("Your comment is deleted."))
    return action_done(request, f"{story.url}#comments")
