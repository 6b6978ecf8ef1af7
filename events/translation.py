"""The questions an event asks attendees, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import EventQuestion


@register(EventQuestion)
class EventQuestionTranslation(TranslationOptions):
    fields = ("label", "help_text")
