"""The app's URLs plus a bare view: the load run's baseline (ROOT_URLCONF=bench.urls)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
