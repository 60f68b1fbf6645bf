from django.urls import path

from brokers import views

app_name = "brokers"

urlpatterns = [
    path("", views.home, name="home"),
    path("book-of-business/", views.group_list, name="group-list"),
    path("commission-statements/", views.statement_list, name="statement-list"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("sales-resources/", views.sales_resources, name="sales-resources"),
    path("support/", views.support, name="support"),
    path("account/", views.account, name="account"),
]
