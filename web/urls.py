from django.urls import path

from . import api

urlpatterns = [
    path("healthz", api.healthz),
    path("api/ping", api.ping),
    path("api/session", api.session),
    path("api/call/<str:name>", api.call),
    path("api/use-cases", api.use_cases),
]
