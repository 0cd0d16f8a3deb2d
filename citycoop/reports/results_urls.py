from django.urls import path

from citycoop.reports import results_views as views

app_name = "results"

urlpatterns = [
    path("mine/", views.my_indicators, name="mine"),
    path("indicators/<int:pk>/enter/", views.enter, name="enter"),
    path("pilots/<slug:pairing>/<slug:pilot>/", views.pilot_results, name="pilot"),
    path("<slug:slug>/review/", views.review_queue, name="review"),
    path("<slug:slug>/review/<int:pk>/", views.review_value, name="review-value"),
    path("<slug:slug>/status/", views.status, name="status"),
    path("<slug:slug>/", views.programme_results, name="programme"),
]
