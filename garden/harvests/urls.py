from django.urls import path

from . import views

app_name = "harvests"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.add, name="add"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("crops/", views.crops, name="crops"),
    path("export/mine.csv", views.export_mine, name="export_mine"),
    path("export/garden.csv", views.export_garden, name="export_garden"),
    path("import/", views.import_logs, name="import"),
]
