"""The demo's community: a board and threads in every branch whose members have accounts, one post held by
the word list (seen as 审核中 by its author only), letters to the secretary (one anonymous, one overdue),
suggestions in every state — and the secretary's pages show them without naming the anonymous author."""

import json

from django.test import Client

from sanxin.accounts.models import Grant
from sanxin.community import selectors
from sanxin.community.models import Board, Letter, Post, PostStatus, Suggestion, SuggestionStatus, Thread
from sanxin.core.models import Event
from sanxin.members.models import Member
from sanxin.orgs.models import Org, Person


def test_demo_community(demo_db):
    branch_boards = Board.objects.filter(org__org_type__in=["mobile_branch", "branch"])
    assert branch_boards.count() >= 10
    for board in branch_boards:
        assert Thread.objects.filter(board=board, status=PostStatus.PUBLISHED).count() >= 3
    assert Board.objects.filter(org__depth=1).exists()  # the region-wide board
    held = Post.objects.get(status=PostStatus.HELD)
    assert held.held_words == ["出租骑手账号"]
    assert Post.objects.filter(mentions__isnull=False).exists()
    assert Thread.objects.filter(pinned=True).exists() and Thread.objects.filter(locked=True).exists()
    assert {s for s in Suggestion.objects.values_list("status", flat=True)} == set(SuggestionStatus.values)
    assert Suggestion.objects.filter(steps__action="forward").exists()
    assert Event.objects.filter(name="community.suggestion_adopted").count() == 1
    m1 = Org.objects.get(pk=Grant.objects.get(user__username="shuji", anchor="org").org_id)
    letters = Letter.objects.filter(org=m1)
    assert letters.filter(anonymous=True).exists()
    assert any(selectors.is_overdue(x) for x in letters)
    # the secretary's home shows the overdue letter; the inbox never names the anonymous author
    shuji = Client()
    shuji.force_login(m1.posts.get(title="secretary", end_on__isnull=True).person.user)
    assert "超过 7 天未回复" in shuji.get("/").content.decode()
    anonymous = letters.filter(anonymous=True).first()
    author = Person.objects.get(user_id=json.loads(anonymous.sealed)["user_id"]).name
    page = shuji.get(f"/community/mailbox/inbox/{anonymous.pk}/").content.decode()
    assert "匿名" in page and author not in page
    # the held post: its author sees 审核中, another member of the branch does not see it
    author_page = Client()
    author_page.force_login(held.author)
    assert "审核中" in author_page.get(f"/community/forum/threads/{held.thread_id}/").content.decode()
    other = (
        Member.objects.filter(person__org=held.thread.board.org, person__user__isnull=False)
        .exclude(person__user=held.author)
        .first()
        .person.user
    )
    peer = Client()
    peer.force_login(other)
    assert peer.get(f"/community/forum/threads/{held.thread_id}/").status_code == 404
