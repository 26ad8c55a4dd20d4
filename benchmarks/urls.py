from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial", trivial), path("", include("jingyuan_renovation.urls"))]
