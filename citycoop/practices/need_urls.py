# Included by practices/urls.py under "needs/", in the "practices" namespace.
urlpatterns: list = []
