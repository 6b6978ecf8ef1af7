"""Notifications: store what happens to a member, push it live over WebSockets, e-mail a digest."""
