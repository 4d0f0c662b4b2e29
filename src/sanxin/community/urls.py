from django.urls import include, path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("forum/", views.board_list, name="boards"),
    path("forum/boards/new/", views.board_new, name="board_new"),
    path("forum/boards/<int:board_id>/", views.board, name="board"),
    path("forum/threads/<int:thread_id>/", views.thread, name="thread"),
    path("forum/threads/<int:thread_id>/manage/", views.thread_manage, name="thread_manage"),
    path("forum/posts/<int:post_id>/", views.post_action, name="post_action"),
    path("forum/posts/<int:post_id>/moderate/", views.post_moderate, name="post_moderate"),
    path("forum/moderate/", views.moderate_queue, name="moderate"),
    path("forum/words/", views.words, name="words"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/mine/<int:letter_id>/", views.letter_mine, name="letter_mine"),
    path("mailbox/inbox/", views.inbox, name="inbox"),
    path("mailbox/inbox/<int:letter_id>/", views.inbox_letter, name="inbox_letter"),
    path("mailbox/inbox/<int:letter_id>/reveal/", views.letter_reveal, name="letter_reveal"),
    path("oversight/", views.oversight, name="oversight"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", views.suggestion, name="suggestion"),
    path("suggestions/manage/", views.manage_suggestions, name="manage_suggestions"),
    path("suggestions/manage/<int:suggestion_id>/", views.manage_suggestion, name="manage_suggestion"),
    path("activities/", include("sanxin.community.activities.urls")),
    path("awards/", include("sanxin.community.awards.urls")),
    path("affairs/", include("sanxin.community.affairs.urls")),
]
