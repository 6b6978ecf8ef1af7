"""Product and idea-category names in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import IdeaCategory, Product


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(IdeaCategory)
class IdeaCategoryTranslation(TranslationOptions):
    fields = ("name",)
