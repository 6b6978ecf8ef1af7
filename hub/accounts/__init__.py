"""Accounts: the member's public profile, sign-up and sign-in (django-allauth), account deletion."""
