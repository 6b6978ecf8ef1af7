"""URLs of the feedback app, mounted at the site root by hub/urls.py."""

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("products/<slug:slug>/review/", views.write_review, name="write_review"),
    path("reviews/<id:pk>/helpful/", views.helpful, name="helpful"),
    path("reviews/<id:pk>/report/", views.report_review, name="report_review"),
    path("reviews/photos/<id:pk>/delete/", views.delete_photo, name="delete_photo"),
    path("testimonials/", views.testimonials, name="testimonials"),
    path("ideas/", views.idea_list, name="ideas"),
    path("ideas/new/", views.post_idea, name="post_idea"),
    path("ideas/roadmap/", views.roadmap, name="roadmap"),
    path("ideas/<id:pk>/", views.idea_detail, name="idea"),
    path("ideas/<id:pk>/vote/", views.vote, name="vote"),
    path("ideas/<id:pk>/report/", views.report_idea, name="report_idea"),
    path("surveys/<id:pk>/", views.survey, name="survey"),
]
