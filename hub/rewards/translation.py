"""The programme's names editors define, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Badge, Perk, Tier


@register(Tier)
class TierTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Badge)
class BadgeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Perk)
class PerkTranslation(TranslationOptions):
    fields = ("title", "description")
