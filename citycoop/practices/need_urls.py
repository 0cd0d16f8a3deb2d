"""Cities' needs, included by practices/urls.py under "needs/" in the "practices" namespace."""

from django.urls import path

from citycoop.practices import need_views

urlpatterns = [
    path("", need_views.need_list, name="needs"),
    path("new/", need_views.need_new, name="need-new"),
    path("<slug:slug>/", need_views.need_detail, name="need"),
    path("<slug:slug>/edit/", need_views.need_edit, name="need-edit"),
    path("<slug:slug>/status/", need_views.need_close, name="need-close"),
]
