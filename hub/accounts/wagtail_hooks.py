"""Wagtail admin hooks for members: bulk actions on users keep the leaderboards right."""

from django.contrib.auth import get_user_model
from wagtail import hooks

from hub.rewards.queries import member_changed
from hub.rewards.services import sync_leaderboard_standing


@hooks.register("after_bulk_action")
def keep_leaderboards_in_step(request, action_type, objects, action_class_instance):
    """Wagtail's bulk actions update members with a queryset, which skips User.save(): copy a
    bulk (de)activation onto their leaderboard scores, and drop the cached top lists after a bulk
    delete (the scores themselves cascade). Runs in the bulk action's own transaction."""
    if get_user_model() not in getattr(action_class_instance, "models", ()):
        return
    if action_type == "set_active_state":
        sync_leaderboard_standing([member.pk for member in objects])
    elif action_type == "delete":
        member_changed()
