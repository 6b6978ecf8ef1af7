"""The editors' side of the forum, one "Community" admin menu: categories, the flag queue,
suspended members and story comments. Moderation goes through the services, so points,
notifications and the history entries follow."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django_comments_xtd.models import XtdComment
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import registry as log_registry
from wagtail.models import Page

from hub.adminkit import NoAddView, ReadOnlyListingMixin
from hub.content_languages import TranslatedNamesViewSetMixin
from hub.converters import parse_id
from hub.errors import Refusal
from hub.workspace import queue

from . import queries, services
from .models import Category, Flag, Suspension


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("hide", gettext_lazy("Hide it (its points are reversed; the author is told why)")),
            ("restore", gettext_lazy("Restore it")),
            ("dismiss", gettext_lazy("Dismiss the flags: nothing wrong")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        required=False,
        help_text=gettext_lazy(
            "Recorded in the history; the author sees it when a post is hidden."
        ),
    )

    # What the moderator is told when they hide without a reason (the comment review says comment).
    reason_required = gettext_lazy("Say why the post is hidden: the author sees it.")

    def __init__(self, *args, hidden: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if hidden is not None:  # offer what can be done to it now: hide what is shown, and so on
            unavailable = "hide" if hidden else "restore"
            field = self.fields["action"]
            field.choices = [c for c in field.choices if c[0] != unavailable]

    def clean(self):
        data = super().clean()
        if data.get("action") == "hide" and not (data.get("reason") or "").strip():
            self.add_error("reason", self.reason_required)
        return data


class ReviewView(WagtailAdminTemplateMixin, FormView):
    """Decide on a flagged post or comment: hide, restore or dismiss, with a logged reason."""

    form_class = ReviewForm
    template_name = "community/admin/review.html"
    page_title = gettext_lazy("Review")
    header_icon = "warning"
    permission = "community.change_post"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.target = self.get_target(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "hidden": self.is_hidden()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.describe())
        context["back_url"] = self.back_url()
        return context

    def back_url(self) -> str:
        """Where to go after deciding: where the moderator came from (the queue...), if here."""
        back = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}):
            return back
        return ""

    def form_valid(self, form):
        try:
            message = self.act(form.cleaned_data["action"], form.cleaned_data["reason"])
        except Refusal as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        queue.forget_count(self.moderation_source)
        messages.success(self.request, message)
        return redirect(self.back_url() or self.done_url)


class PostReviewView(ReviewView):
    page_title = gettext_lazy("Review flagged post")
    moderation_source = "community.post"
    done_url = "community-flags:index"

    def get_target(self, pk):
        flag = get_object_or_404(Flag.objects.select_related("post__topic", "post__author"), pk=pk)
        if flag.post_id is None:
            raise PermissionDenied
        return flag.post

    def is_hidden(self) -> bool:
        return self.target.hidden

    def describe(self):
        post = self.target
        return {
            "title": post.topic.title,
            "author": post.author,
            "html": post.html,
            "url": post.get_absolute_url(),
            "state": _("Hidden") if post.hidden else _("Shown"),
            "flags": Flag.objects.filter(post=post, state=Flag.OPEN).select_related("flagged_by"),
            "record": queries.member_record(post.author),
        }

    def act(self, action, reason):
        return services.moderate_flagged_post(
            self.target.pk, action, by=self.request.user, reason=reason
        )


class CommentReviewView(ReviewView):
    """A story comment in context: the story, the conversation around it, its author's record,
    the open flags and what moderators did to it before; then the decision."""

    page_title = gettext_lazy("Review story comment")
    permission = "django_comments_xtd.change_xtdcomment"
    done_url = "community-comments:index"
    moderation_source = "community.comment"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.reason_required = _("Say why the comment is hidden: the author sees it.")
        form.fields["reason"].help_text = _(
            "Recorded in the history; the author sees it when the comment is hidden."
        )
        return form

    def get_target(self, pk):
        return get_object_or_404(XtdComment.objects.select_related("user"), pk=pk)

    def is_hidden(self) -> bool:
        return self.target.is_removed

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("community-comments:index"), "label": _("Story comments")},
            {"url": "", "label": self.get_page_title()},
        ]

    def describe(self):
        comment = self.target
        story = comment.content_object
        thread, more = queries.comment_thread(comment)
        return {
            "title": _("Comment by %(name)s") % {"name": comment.user_name},
            "comment": comment,
            "author": comment.user,
            "html": next(c.html for c in thread if c.pk == comment.pk),
            "url": queries.comment_url(comment, story),
            "state": _("Hidden") if comment.is_removed else _("Shown"),
            "flags": Flag.objects.filter(comment=comment, state=Flag.OPEN)
            .select_related("flagged_by")
            .order_by("created"),
            "story": story,
            "story_url": queries.target_url(story),
            "story_edit_url": (
                reverse("wagtailadmin_pages:edit", args=[story.pk])
                if isinstance(story, Page)
                else ""
            ),
            "thread": thread,
            "thread_more": more,
            "record": queries.member_record(comment.user),
            "history": list(
                log_registry.get_logs_for_instance(comment)
                .select_related("user")
                .order_by("-timestamp")[:10]
            ),
        }

    def act(self, action, reason):
        return services.moderate_flagged_comment(
            self.target.pk, action, by=self.request.user, reason=reason
        )


class CategoryViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Categories")
    list_display = ["name", "kind", "who_may_start", "order", "topic_count", "post_count"]
    list_filter = ["kind", "who_may_start"]
    search_fields = ["name", "description"]
    copy_view_enabled = False


class FlagIndexView(ReadOnlyListingMixin, generic.IndexView):
    """The flag queue: what members reported, oldest first, until a moderator decides."""

    page_title = gettext_lazy("Flag queue")
    default_ordering = "created"

    def get_base_queryset(self):
        queryset = (
            super()
            .get_base_queryset()
            .select_related("post__topic", "flagged_by")
            .filter(state=Flag.OPEN)
        )
        post_id = parse_id(self.request.GET.get("post"))
        if post_id:
            queryset = queryset.filter(post_id=post_id)
        return queryset

    def get_edit_url(self, instance):
        if instance.post_id:
            return reverse("community_review_post", args=[instance.pk])
        return reverse("community_review_comment", args=[instance.comment_id])


class FlagViewSet(ModelViewSet):
    model = Flag
    icon = "warning"
    menu_label = gettext_lazy("Flag queue")
    index_view_class = FlagIndexView
    add_view_class = NoAddView  # members raise flags from the site
    form_fields = ["state"]
    list_display = [
        Column("target_label", label=gettext_lazy("Flagged")),
        "reason",
        "note",
        "flagged_by",
        "created",
    ]
    list_filter = ["reason"]
    search_fields = ["note"]
    copy_view_enabled = False


class SuspensionForm(forms.ModelForm):
    class Meta:
        model = Suspension
        fields = ["user", "until", "reason"]


class SuspensionCreateView(generic.CreateView):
    def form_valid(self, form):
        try:
            self.object = services.suspend_member(
                form.cleaned_data["user"],
                by=self.request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except Refusal as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(member)s is read-only until %(until)s.")
            % {"member": self.object.user, "until": self.object.until.strftime("%Y-%m-%d %H:%M")},
        )
        return redirect(self.index_url_name)


class LiftSuspensionForm(forms.ModelForm):
    lift_reason = forms.CharField(
        label=gettext_lazy("Why lift it now?"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Recorded in the suspension's history."),
    )

    class Meta:
        model = Suspension
        fields = []


class LiftSuspensionView(generic.EditView):
    """A suspension is not edited: its "Edit" page lifts it early, through the service (which
    writes the history entry)."""

    page_title = gettext_lazy("Lift suspension")
    submit_button_label = gettext_lazy("Lift the suspension now")
    submit_button_active_label = gettext_lazy("Lifting…")

    def save_instance(self):
        return services.lift_suspension(
            self.object, by=self.request.user, reason=self.form.cleaned_data["lift_reason"]
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Refusal as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)

    def get_success_message(self):
        return _("%(member)s can post again.") % {"member": self.object.user}

    def get_success_buttons(self):
        return []


class SuspensionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "created_by")


class SuspensionViewSet(ModelViewSet):
    model = Suspension
    icon = "lock"
    menu_label = gettext_lazy("Suspended members")
    add_view_class = SuspensionCreateView
    edit_view_class = LiftSuspensionView
    index_view_class = SuspensionIndexView
    form_fields = ["user", "until", "reason"]
    list_display = ["user", "until", "reason", "created_by", "created", "lifted_at"]
    search_fields = ["user__username", "reason"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return LiftSuspensionForm if for_update else SuspensionForm


class CommentIndexView(ReadOnlyListingMixin, generic.IndexView):
    page_title = gettext_lazy("Story comments")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "content_type")

    def get_edit_url(self, instance):
        return reverse("community_review_comment", args=[instance.pk])


class StoryCommentViewSet(ModelViewSet):
    model = XtdComment
    icon = "comment"
    menu_label = gettext_lazy("Story comments")
    index_view_class = CommentIndexView
    add_view_class = NoAddView  # members comment on the site
    form_fields = ["is_public"]
    list_display = ["comment", "user_name", "submit_date", "is_removed"]
    list_filter = ["is_removed", "submit_date"]
    search_fields = ["comment", "user_name"]
    copy_view_enabled = False
    default_ordering = "-submit_date"


class CommunityGroup(ViewSetGroup):
    menu_label = gettext_lazy("Community")
    menu_icon = "group"
    menu_order = 650
    items = (
        CategoryViewSet("community-categories"),
        FlagViewSet("community-flags"),
        SuspensionViewSet("community-suspensions"),
        StoryCommentViewSet("community-comments"),
    )


def admin_urls():
    return [
        path(
            "community/review/post/<id:pk>/",
            PostReviewView.as_view(),
            name="community_review_post",
        ),
        path(
            "community/review/comment/<id:pk>/",
            CommentReviewView.as_view(),
            name="community_review_comment",
        ),
    ]
