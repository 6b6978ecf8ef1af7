"""Plug the notifications admin (viewsets.py) into Wagtail: the "Notifications" menu."""

from wagtail import hooks

from .viewsets import NotificationsGroup


@hooks.register("register_admin_viewset")
def register_notifications_group():
    return NotificationsGroup()
