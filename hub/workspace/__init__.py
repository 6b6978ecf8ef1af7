"""The editors' workspace in the Wagtail admin: the one moderation queue, the KPI dashboard on the
admin home, the reports (retention cohorts, points by action, KPI export) and the member activity
record the KPIs are computed from.

It is its own app (``hub.workspace``) rather than modules under ``hub/`` because it owns models
(``MemberActivity``, ``ModerationDecision``), migrations and the permissions the workspace needs.
Like the rest of ``hub`` it never imports a feature app: feature apps plug their reported items in
through ``hub.moderation`` and their figures through ``hub.dashboard``.
"""
