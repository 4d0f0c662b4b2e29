from django.urls import path

from . import views

app_name = "quiz"

urlpatterns = [
    path("", views.home, name="home"),
    path("contests/<int:contest_id>/", views.contest, name="contest"),
    path("contests/<int:contest_id>/ranking/", views.ranking, name="ranking"),
    path("attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("lessons/<int:lesson_id>/", views.lesson_quiz, name="lesson_quiz"),
    path("certificates/<int:certificate_id>/", views.certificate, name="certificate"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("manage/", views.manage, name="manage"),
    path("manage/banks/new/", views.bank_new, name="bank_new"),
    path("manage/banks/<int:bank_id>/", views.bank, name="bank"),
    path("manage/banks/<int:bank_id>/import/", views.bank_import, name="bank_import"),
    path("manage/imports/<uuid:job_id>/", views.import_result, name="import_result"),
    path("manage/lessons/<int:lesson_id>/", views.quiz_manage, name="quiz_manage"),
    path("manage/contests/new/", views.contest_new, name="contest_new"),
    path("manage/contests/<int:contest_id>/", views.contest_manage, name="contest_manage"),
]
