from django.urls import path

from access_review import views

app_name = "access_review"

# Included under /admin/access-review/ (portal/urls.py), ahead of the admin's own URLs.
urlpatterns = [
    path("", views.review_index, name="index"),
    path("groups/<int:pk>/", views.group_review, name="group-review"),
    path("users/<int:pk>/", views.user_review, name="user-review"),
]
