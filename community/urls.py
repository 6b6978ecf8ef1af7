"""URLs of the community app, mounted at the site root by hub/urls.py: the forum under
/community/, story comments under /community/comments/."""

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("community/", views.index, name="index"),
    path("community/latest/", views.latest, name="latest"),
    path("community/unanswered/", views.unanswered, name="unanswered"),
    path("community/search/", views.search, name="search"),
    path("community/preview/", views.preview, name="preview"),
    path("community/c/<slug:slug>/", views.category, name="category"),
    path("community/c/<slug:slug>/new/", views.new_topic, name="new_topic"),
    path(
        "community/c/<slug:slug>/notifications/",
        views.subscribe_category,
        name="subscribe_category",
    ),
    path("community/t/<id:pk>/unread/", views.topic_unread, name="topic_unread"),
    path("community/t/<id:pk>/posts/", views.topic_posts, name="topic_posts"),
    path("community/t/<id:pk>/reply/", views.reply, name="reply"),
    path("community/t/<id:pk>/notifications/", views.subscribe_topic, name="subscribe_topic"),
    path("community/t/<id:pk>/moderate/<str:action>/", views.moderate_topic, name="moderate_topic"),
    path("community/t/<id:pk>/<str:slug>/", views.topic, name="topic"),
    path("community/p/<id:pk>/", views.post, name="post"),
    path("community/p/<id:pk>/edit/", views.edit_post, name="edit_post"),
    path("community/p/<id:pk>/delete/", views.delete_post, name="delete_post"),
    path("community/p/<id:pk>/react/", views.react, name="react"),
    path("community/p/<id:pk>/flag/", views.flag_post, name="flag_post"),
    path("community/p/<id:pk>/accept/", views.accept_answer, name="accept_answer"),
    path("community/p/<id:pk>/history/", views.post_history, name="post_history"),
    path("community/p/<id:pk>/moderate/<str:action>/", views.moderate_post, name="moderate_post"),
    path("community/comments/story/<id:story_pk>/", views.post_comment, name="post_comment"),
    path("community/comments/<id:pk>/react/", views.react_comment, name="react_comment"),
    path("community/comments/<id:pk>/flag/", views.flag_comment, name="flag_comment"),
    path("community/comments/<id:pk>/delete/", views.delete_comment, name="delete_comment"),
]
