from django.urls import include, path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<int:course_id>/", views.course, name="course"),
    path("lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("behind/", views.behind, name="behind"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/<int:course_id>/", views.manage_course, name="manage_course"),
    path("manage/lessons/<int:lesson_id>/", views.manage_lesson, name="manage_lesson"),
    path("discover/", include("sanxin.learning.discovery.urls")),
    path("quiz/", include("sanxin.learning.quiz.urls")),
    path("training/", include("sanxin.learning.training.urls")),
]
