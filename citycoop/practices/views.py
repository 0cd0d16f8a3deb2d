from django.http import HttpRequest, HttpResponse


def practice_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
