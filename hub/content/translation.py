"""What the header and footer say about the brand, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import BrandSettings


@register(BrandSettings)
class BrandSettingsTranslation(TranslationOptions):
    fields = ("brand_name", "tagline", "footer_text")
