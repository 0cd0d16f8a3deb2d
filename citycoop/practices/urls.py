from django.urls import include, path

from citycoop.practices import review_views, views

app_name = "practices"

# "new", "review" and "needs" are pages of their own: services.RESERVED_SLUGS keeps
# practices from taking them as keys.
urlpatterns = [
    path("", views.practice_list, name="list"),
    path("new/", views.practice_new, name="new"),
    path("review/", review_views.review_queue, name="review-queue"),
    path("needs/", include("citycoop.practices.need_urls")),
    path("<slug:slug>/", views.practice_detail, name="detail"),
    path("<slug:slug>/edit/", views.practice_edit, name="edit"),
    path("<slug:slug>/text/<str:language>/", views.practice_text, name="text"),
    path("<slug:slug>/files/", views.practice_files, name="files"),
    path("<slug:slug>/files/<int:pk>/", views.practice_file, name="file"),
    path("<slug:slug>/submit/", views.practice_submit, name="submit"),
    path("<slug:slug>/review/", review_views.practice_review, name="review"),
    path("<slug:slug>/publish/", review_views.practice_publish, name="publish"),
    path("<slug:slug>/adopted/", review_views.practice_adopted, name="adopted"),
]
