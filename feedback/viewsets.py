"""The editors' side of feedback in the Wagtail admin: one "Feedback" menu group.

Reviews and ideas change only through feedback.services (so aggregates, points, notifications
and history follow): their "edit" views are forms that call the services, not model forms.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from hub.adminkit import (
    BulkActionsIndexMixin,
    NoAddView,
    NoDeleteView,
    NoEditView,
    ReadOnlyListingMixin,
)
from hub.content_languages import TranslatedNamesViewSetMixin, translation_field_names
from hub.errors import Refusal

from . import queries, services
from .forms import IdeaStatusForm, ImportCustomersForm, ModerateReviewForm
from .models import (
    Idea,
    IdeaCategory,
    Product,
    Review,
    Survey,
    SurveyResponse,
    Testimonial,
    VerifiedCustomer,
)


# --- Products ----------------------------------------------------------------------------------
class ProductViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = Product
    icon = "tag"
    menu_label = gettext_lazy("Products")
    url_prefix = "feedback/products"
    form_fields = [
        "name",
        "slug",
        "category",
        "brand",
        "sku",
        "image",
        "description",
        "moderation",
        "live",
        *translation_field_names("name", "description"),
    ]
    list_display = [
        "name",
        "category",
        Column("review_count", label=gettext_lazy("Reviews"), sort_key="review_count"),
        "average_rating",
        "moderation",
        "live",
    ]
    list_filter = ["category", "moderation", "live"]
    search_fields = ["name", "slug", "category", "sku"]
    # The site search indexes this model; the admin searches the database (related names too).
    search_backend_name = None
    list_export = ["name", "slug", "category", "sku", "review_count", "average_rating", "live"]
    export_filename = "products"
    copy_view_enabled = False


# --- Reviews -----------------------------------------------------------------------------------
class ReviewIndexView(ReadOnlyListingMixin, BulkActionsIndexMixin, generic.IndexView):
    default_ordering = "-created"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("product", "author")


class ModerateReviewView(WagtailAdminTemplateMixin, FormView):
    """A review's admin page: what it says, the reports, and the editor's decisions."""

    form_class = ModerateReviewForm
    template_name = "feedback/admin/moderate_review.html"
    page_title = gettext_lazy("Review")
    header_icon = "comment"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("feedback.change_review"):
            raise PermissionDenied
        self.review = get_object_or_404(
            Review.objects.select_related("product", "author"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.review.title

    def get_initial(self):
        return {"reply": self.review.reply, "verified": self.review.verified}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Reviews")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            review=self.review,
            reports=self.review.reports.filter(resolved=False).select_related("reporter"),
            photos=self.review.photos.all(),
            testimonial=Testimonial.objects.filter(review=self.review).first(),
            can_feature=self.request.user.has_perm("feedback.add_testimonial"),
        )
        return context

    def form_valid(self, form):
        data, by, review = form.cleaned_data, self.request.user, self.review
        done = []
        try:
            decision = data["decision"]
            if decision == form.APPROVE:
                review = services.approve_review(review, by=by)
                done.append(_("approved"))
            elif decision == form.REJECT:
                review = services.reject_review(review, by=by, reason=data["reason"])
                done.append(_("rejected"))
            elif decision == form.HIDE:
                review = services.hide_review(review, by=by, reason=data["reason"])
                done.append(_("hidden"))
            elif decision == form.DISMISS:
                review = services.dismiss_review_reports(review, by=by)
                done.append(_("reports dismissed"))
            if data["verified"] != review.verified:
                review = services.set_review_verified(review, verified=data["verified"], by=by)
                done.append(_("marked verified") if data["verified"] else _("verification removed"))
            if data["reply"].strip() and data["reply"].strip() != review.reply:
                review = services.reply_to_review(review, text=data["reply"], by=by)
                done.append(_("reply posted"))
            if data["feature"]:
                if not by.has_perm("feedback.add_testimonial"):
                    raise PermissionDenied
                services.feature_review(review, by=by)
                done.append(_("featured as a testimonial"))
        except Refusal as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        if done:
            messages.success(
                self.request,
                _("Review “%(title)s”: %(done)s.")
                % {"title": review.title, "done": ", ".join(done)},
            )
        return redirect(self.index_url_name)


class ReviewViewSet(ModelViewSet):
    model = Review
    icon = "comment"
    menu_label = gettext_lazy("Reviews")
    url_prefix = "feedback/reviews"
    index_view_class = ReviewIndexView
    add_view_class = NoAddView  # members write reviews on the site
    edit_view_class = ModerateReviewView
    delete_view_class = NoDeleteView  # moderators hide instead, so counts and points stay right
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["reply"]  # required by ModelViewSet; the edit view is ModerateReviewView
    list_display = [
        "title",
        "product",
        "rating",
        "author",
        "status",
        "collected",
        "verified",
        Column("report_count", label=gettext_lazy("Reports"), sort_key="report_count"),
        Column("helpful_count", label=gettext_lazy("Helpful"), sort_key="helpful_count"),
        "created",
    ]
    list_filter = ["status", "rating", "product", "verified", "collected", "created"]
    search_fields = ["title", "body", "author__username", "author__email", "product__name"]
    # The site search indexes this model; the admin searches the database (related names too).
    search_backend_name = None
    list_export = [
        "created",
        "product",
        "author",
        "rating",
        "title",
        "body",
        "status",
        "collected",
        "verified",
        "helpful_count",
        "report_count",
        "reply",
    ]
    export_filename = "reviews"

    def get_edit_view_kwargs(self, **kwargs):
        return {"form_class": ModerateReviewForm, **kwargs}


class ReviewQueueIndexView(ReviewIndexView):
    """What waits for a moderator: reviews to approve and reported reviews, oldest first."""

    default_ordering = "updated"
    page_title = gettext_lazy("Review queue")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(pk__in=(queries.pending_reviews() | queries.reported_reviews()).values("pk"))
        )


class ReviewQueueViewSet(ReviewViewSet):
    menu_label = gettext_lazy("Review queue")
    icon = "warning"
    url_prefix = "feedback/review-queue"
    index_view_class = ReviewQueueIndexView
    list_filter = ["status", "rating", "product", "verified"]
    export_filename = "review-queue"


# --- Verified customers ------------------------------------------------------------------------
class VerifiedCustomerIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("product")

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm("feedback.add_verifiedcustomer"):
            buttons.append(
                Button(
                    _("Import CSV"),
                    url=reverse("feedback_import_customers"),
                    icon_name="upload",
                    priority=5,
                )
            )
        return buttons


class VerifiedCustomerViewSet(ModelViewSet):
    model = VerifiedCustomer
    icon = "user"
    menu_label = gettext_lazy("Verified customers")
    url_prefix = "feedback/verified-customers"
    index_view_class = VerifiedCustomerIndexView
    form_fields = ["email", "product"]
    list_display = ["email", "product", "imported_at"]
    search_fields = ["email", "product__name"]
    list_filter = ["product", "imported_at"]
    list_export = ["email", "product", "imported_at"]
    export_filename = "verified-customers"
    copy_view_enabled = False


class ImportCustomersView(WagtailAdminTemplateMixin, FormView):
    form_class = ImportCustomersForm
    template_name = "feedback/admin/import_customers.html"
    page_title = gettext_lazy("Import verified customers")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("feedback.add_verifiedcustomer"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("feedback_verified_customers:index"), "label": _("Verified customers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        result = services.import_verified_customers(form.cleaned_data["file"], by=self.request.user)
        messages.success(
            self.request,
            _(
                "%(added)d customers added (%(known)d already known); %(verified)d reviews "
                "marked verified; %(invited)d members invited to review."
            )
            % {
                "added": result["added"],
                "known": result["known"],
                "verified": result["reviews_verified"],
                "invited": result["invited"],
            },
        )
        if result["invalid_rows"]:
            messages.warning(
                self.request,
                _("Rows without a valid e-mail address were skipped: %(rows)s")
                % {"rows": ", ".join(str(n) for n in result["invalid_rows"][:30])},
            )
        return redirect("feedback_verified_customers:index")


# --- Testimonials ------------------------------------------------------------------------------
class TestimonialCreateView(generic.CreateView):
    def save_instance(self):
        return services.testimonial_saved(super().save_instance())


class TestimonialEditView(generic.EditView):
    def save_instance(self):
        return services.testimonial_saved(super().save_instance())


class TestimonialIndexView(BulkActionsIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("product", "member")


class TestimonialViewSet(ModelViewSet):
    model = Testimonial
    icon = "openquote"
    menu_label = gettext_lazy("Testimonials")
    url_prefix = "feedback/testimonials"
    index_view_class = TestimonialIndexView
    add_view_class = TestimonialCreateView
    edit_view_class = TestimonialEditView
    form_fields = [
        "quote",
        "customer_name",
        "customer_title",
        "member",
        "product",
        "rating",
        "consent",
        "consent_note",
        "featured",
        "sort_order",
    ]
    list_display = [
        "customer_name",
        "quote",
        "product",
        "featured",
        "consent",
        "sort_order",
        "created",
    ]
    list_filter = ["featured", "consent", "product"]
    search_fields = ["quote", "customer_name", "customer_title"]
    list_export = [
        "customer_name",
        "customer_title",
        "quote",
        "product",
        "consent",
        "consent_note",
        "featured",
        "created",
    ]
    export_filename = "testimonials"
    copy_view_enabled = False


# --- Ideas -------------------------------------------------------------------------------------
class IdeaIndexView(ReadOnlyListingMixin, BulkActionsIndexMixin, generic.IndexView):
    default_ordering = "-vote_count"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("author", "category")


class IdeaStatusView(WagtailAdminTemplateMixin, FormView):
    """Set an idea's status with a public note, or merge it into the idea that survives."""

    form_class = IdeaStatusForm
    template_name = "feedback/admin/idea_status.html"
    page_title = gettext_lazy("Idea")
    header_icon = "help"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("feedback.change_idea"):
            raise PermissionDenied
        self.idea = get_object_or_404(Idea.objects.select_related("author"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.idea.title

    def get_initial(self):
        return {"status": self.idea.status, "note": self.idea.status_note}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Ideas")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            idea=self.idea,
            reports=self.idea.reports.filter(resolved=False).select_related("reporter"),
            history=self.idea.status_changes.select_related("changed_by")[:20],
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("restore") and self.idea.hidden:
            services.restore_idea(self.idea, by=request.user)
            messages.success(request, _("Idea restored: it is back on the board."))
            return redirect(self.index_url_name)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data, by = form.cleaned_data, self.request.user
        try:
            if data["merge_into"]:
                survivor = services.merge_ideas(self.idea, into=data["merge_into"], by=by)
                messages.success(
                    self.request,
                    _("Merged into “%(idea)s”, which now has %(votes)d votes.")
                    % {"idea": survivor.title, "votes": survivor.vote_count},
                )
            else:
                services.set_idea_status(self.idea, status=data["status"], note=data["note"], by=by)
                messages.success(self.request, _("Status saved; the author and voters were told."))
        except Refusal as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        return redirect(self.index_url_name)


class IdeaViewSet(ModelViewSet):
    model = Idea
    icon = "help"
    menu_label = gettext_lazy("Ideas")
    url_prefix = "feedback/ideas"
    index_view_class = IdeaIndexView
    add_view_class = NoAddView  # members post ideas on the site
    edit_view_class = IdeaStatusView
    delete_view_class = NoDeleteView  # moderators hide instead, so counts and points stay right
    copy_view_enabled = False
    form_fields = ["status_note"]  # required by ModelViewSet; the edit view is IdeaStatusView
    list_display = [
        "title",
        "status",
        "category",
        "author",
        Column("vote_count", label=gettext_lazy("Votes"), sort_key="vote_count"),
        Column("comment_count", label=gettext_lazy("Comments"), sort_key="comment_count"),
        Column("report_count", label=gettext_lazy("Reports"), sort_key="report_count"),
        "created",
    ]
    list_filter = ["status", "category", "hidden", "created"]
    search_fields = ["title", "description", "author__username"]
    # The site search indexes this model; the admin searches the database (related names too).
    search_backend_name = None
    list_export = [
        "pk",
        "title",
        "status",
        "status_note",
        "category",
        "author",
        "vote_count",
        "comment_count",
        "created",
    ]
    export_filename = "ideas"

    def get_edit_view_kwargs(self, **kwargs):
        return {"form_class": IdeaStatusForm, **kwargs}


class IdeaCategoryViewSet(TranslatedNamesViewSetMixin, ModelViewSet):
    model = IdeaCategory
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Idea categories")
    url_prefix = "feedback/idea-categories"
    form_fields = ["name", "slug", *translation_field_names("name")]
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    list_export = ["name", "slug"]
    export_filename = "idea-categories"
    copy_view_enabled = False


# --- Surveys -----------------------------------------------------------------------------------
class SurveyIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Results"),
                url=reverse("feedback_survey_results", args=[instance.pk]),
                icon_name="view",
                priority=5,
            )
        )
        return buttons


class SurveyViewSet(ModelViewSet):
    model = Survey
    icon = "list-ol"
    menu_label = gettext_lazy("NPS surveys")
    url_prefix = "feedback/surveys"
    index_view_class = SurveyIndexView
    form_fields = ["title", "question", "comment_prompt", "opens_at", "closes_at"]
    list_display = ["title", "opens_at", "closes_at"]
    list_filter = ["opens_at", "closes_at"]
    search_fields = ["title", "question"]
    list_export = ["title", "question", "comment_prompt", "opens_at", "closes_at"]
    export_filename = "nps-surveys"
    copy_view_enabled = False


class SurveyResponseIndexView(ReadOnlyListingMixin, generic.IndexView):
    rows_link_to_edit = False

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("survey", "user")


class SurveyResponseViewSet(ModelViewSet):
    model = SurveyResponse
    icon = "list-ul"
    menu_label = gettext_lazy("Survey answers")
    url_prefix = "feedback/survey-answers"
    index_view_class = SurveyResponseIndexView
    add_view_class = NoAddView  # members answer on the site
    edit_view_class = NoEditView
    delete_view_class = NoDeleteView
    copy_view_enabled = False
    form_fields = ["comment"]
    list_display = ["survey", "user", "score", "comment", "created"]
    list_filter = ["survey", "score", "created"]
    search_fields = ["comment", "user__username", "user__email", "survey__title"]
    list_export = ["survey", "user", "score", "comment", "created"]
    export_filename = "nps-answers"


class SurveyResultsView(WagtailAdminTemplateMixin, TemplateView):
    """NPS, promoters/passives/detractors, the trend by month, and the comments."""

    template_name = "feedback/admin/survey_results.html"
    page_title = gettext_lazy("Survey results")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("feedback.view_survey"):
            raise PermissionDenied
        self.survey = get_object_or_404(Survey, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.survey.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("feedback_surveys:index"), "label": _("NPS surveys")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.request.GET.get("group", "")
        comments = Paginator(queries.survey_comments(self.survey, group), 50).get_page(
            self.request.GET.get("page")
        )
        results = queries.survey_results(self.survey)
        context.update(
            survey=self.survey,
            results=results,
            scores=[(n, results["distribution"].get(n, 0)) for n in range(11)],
            comments=comments,
            group=group,
            answers_url=reverse("feedback_survey_answers:index") + f"?survey={self.survey.pk}",
        )
        return context


class FeedbackGroup(ViewSetGroup):
    menu_label = gettext_lazy("Feedback")
    menu_icon = "comment"
    menu_order = 710
    items = (
        ProductViewSet("feedback_products"),
        ReviewQueueViewSet("feedback_review_queue"),
        ReviewViewSet("feedback_reviews"),
        VerifiedCustomerViewSet("feedback_verified_customers"),
        TestimonialViewSet("feedback_testimonials"),
        IdeaViewSet("feedback_ideas"),
        IdeaCategoryViewSet("feedback_idea_categories"),
        SurveyViewSet("feedback_surveys"),
        SurveyResponseViewSet("feedback_survey_answers"),
    )


def admin_urls():
    return [
        path(
            "feedback/verified-customers/import/",
            ImportCustomersView.as_view(),
            name="feedback_import_customers",
        ),
        path(
            "feedback/surveys/<id:pk>/results/",
            SurveyResultsView.as_view(),
            name="feedback_survey_results",
        ),
    ]
