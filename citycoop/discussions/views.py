from django.http import HttpRequest, HttpResponse


def notifications(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
