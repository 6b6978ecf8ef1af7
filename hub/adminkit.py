"""The generic admin kit every app's ``viewsets.py`` builds on: read-only listings and bulk actions.

Read-only listings. Many rows change only through services (a flag, an RSVP, a redemption, a
moderation decision): their listing takes ``ReadOnlyListingMixin`` (no "Add", no "Delete", the
row's title linking where editors act on it, if anywhere), and their view set refuses the add,
edit or delete URLs with ``NoAddView``, ``NoEditView`` and ``NoDeleteView``.

Bulk actions (Wagtail's bulk action framework). Wagtail draws the checkboxes and the bulk-actions
footer on page and snippet listings only; a ModelViewSet's index view gets them from
``BulkActionsIndexMixin``. The actions themselves are ``ServiceBulkAction`` subclasses, which the
app's ``wagtail_hooks.py`` registers with the ``register_bulk_action`` hook: each names the
permission it needs (refused with "permission denied" otherwise, and hidden from the footer), asks
for what the service needs (a reason, a status) on its confirmation page, and calls the app's
service function once per object, so points, notifications and history follow as they do for one.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.widgets.button import ListingButton

from hub.errors import Refusal


class ReadOnlyListingMixin:
    """For a ``generic.IndexView`` of rows that change only through services: no "Add" button
    and no "Delete" in the rows' menus. A row's title links to the view set's edit view (which
    such a view set makes a service's form, or a redirect to where editors act on the row);
    with ``rows_link_to_edit = False`` it links nowhere (a record of what happened)."""

    rows_link_to_edit = True

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self.rows_link_to_edit else None

    def get_delete_url(self, instance):
        return None


class _Refused:
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class NoAddView(_Refused, generic.CreateView):
    """The add view of rows that only members' actions or services create."""


class NoEditView(_Refused, generic.EditView):
    """The edit view of rows that are a record of what happened."""


class NoDeleteView(_Refused, generic.DeleteView):
    """The delete view of rows whose removal would falsify counts, points or history."""


# --- Bulk actions ------------------------------------------------------------------------------
def permitted_actions(user, model) -> list[type["ServiceBulkAction"]]:
    """The bulk actions registered for ``model`` that ``user`` may use, in footer order."""
    found = bulk_action_registry.get_bulk_actions_for_model(
        model._meta.app_label, model._meta.model_name
    )
    return sorted(
        (a for a in found if not issubclass(a, ServiceBulkAction) or a.may_use(user)),
        key=lambda a: a.action_priority,
    )


class BulkActionsIndexMixin:
    """For a ``generic.IndexView``: a checkbox on every row and the footer with the bulk actions
    the signed-in user may use (nothing at all when there is none)."""

    template_name = "adminkit/bulk_index.html"
    bulk_obj_type = "item"

    @cached_property
    def bulk_actions(self):
        return permitted_actions(self.request.user, self.model)

    @cached_property
    def columns(self):
        columns = super().columns
        if not self.bulk_actions:
            return columns
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type=self.bulk_obj_type), *columns]

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # The checkbox's aria-describedby points at the row's title.
        return super()._get_title_column(
            field_name,
            column_class,
            get_title_id=lambda instance: f"{self.bulk_obj_type}_{quote(instance.pk)}_title",
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context["bulk_action_buttons"] = [
            ListingButton(
                action.display_name,
                reverse(
                    "wagtail_bulk_action",
                    args=[opts.app_label, opts.model_name, action.action_type],
                ),
                attrs={"aria-label": action.aria_label, "data-bulk-action-button": ""},
                priority=action.action_priority,
                classname=" ".join(action.classes | {"bulk-action-btn"}),
            )
            for action in self.bulk_actions
        ]
        context["bulk_item_type"] = "ITEM"  # the footer's wording: "N items selected"
        return context


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("Kept in each item's history (and told to the member when the "
                               "action notifies them)."),
    )  # fmt: skip


class ServiceBulkAction(BulkAction):
    """A bulk action that needs ``permission`` and runs ``apply(obj)`` (a service call) per item.

    ``apply`` returns True when it changed the item and False when there was nothing to do; a
    ``Refusal`` it raises is shown with its message and the rest carry on. The whole run is one
    transaction (Wagtail's), as each service call is.
    """

    template_name = "adminkit/bulk_confirm.html"
    permission = ""  # "app_label.codename"
    confirm_text = ""  # the question on the confirmation page
    button_text = gettext_lazy("Yes, go ahead")
    button_class = ""

    @classmethod
    def may_use(cls, user) -> bool:
        return bool(cls.permission) and user.has_perm(cls.permission)

    def dispatch(self, request, *args, **kwargs):
        if not self.may_use(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        return cls.base_queryset(model).filter(pk__in=list(object_ids)).order_by("pk")

    @classmethod
    def base_queryset(cls, model):
        return model._default_manager.all()

    def get_all_objects_in_listing_query(self, parent_id):
        # Wagtail's "select all in listing" would mean every row of the model, whatever the
        # listing's filters (a review queue's "approve all" would republish hidden reviews):
        # these actions take the rows ticked on the page, which the editor has seen.
        return self.model._default_manager.none().values_list("pk", flat=True)

    def apply(self, obj) -> bool:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_title=self.display_name,
            confirm_text=self.confirm_text,
            action_button_text=self.button_text,
            action_button_class=self.button_class,
            no_action_button_text=_("No, go back"),
        )
        return context

    def execute_action(self, objects, **kwargs):
        done = 0
        for obj in objects:
            try:
                done += bool(self.apply(obj))
            except Refusal as refused:
                messages.error(self.request, f"{obj}: {refused.message}")
        self.skipped = len(objects) - done
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = ngettext(
            "%(action)s: %(count)d item done.", "%(action)s: %(count)d items done.",
            num_parent_objects,
        ) % {"action": self.display_name, "count": num_parent_objects}  # fmt: skip
        if self.skipped:
            message += " " + ngettext(
                "%(count)d left as it was.", "%(count)d left as they were.", self.skipped
            ) % {"count": self.skipped}
        return message
