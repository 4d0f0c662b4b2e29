"""The demo's quizzes and contests: the city committee's bank of 42 questions of the four kinds, the
quizzes of four demo lessons, the finished contest of the mobile branches' members (about a hundred
papers marked on the server, ranked, certificates for the prize ranks and those who passed) and one
contest open now."""

from django.test import Client
from django.utils import timezone

from sanxin.learning.quiz import selectors
from sanxin.learning.quiz.demo import FINISHED, OPEN, QUESTIONS
from sanxin.learning.quiz.models import (
    Attempt,
    AttemptStatus,
    Bank,
    Certificate,
    CertificateKind,
    Contest,
    Question,
    Quiz,
)


def test_demo_quizzes_and_contests(demo_db):
    bank = Bank.objects.get()
    assert Question.objects.filter(bank=bank).count() == len(QUESTIONS) == 42
    assert set(Question.objects.values_list("kind", flat=True)) == {"single", "multiple", "judge", "fill"}
    assert Quiz.objects.count() == 4
    contest = Contest.objects.get(title=FINISHED)
    assert contest.closes_at < timezone.now() and contest.max_score == 100
    papers = Attempt.objects.filter(contest=contest)
    assert 95 <= papers.count() <= 100
    assert set(papers.values_list("branch__name", flat=True)) <= {
        n for n in papers.values_list("branch__name", flat=True) if "流动党员党支部" in n
    }
    assert papers.filter(status=AttemptStatus.EXPIRED, score__isnull=True).exists()
    ranked = list(selectors.ranking(contest)[:10])
    assert [a.rank for a in ranked] == sorted(a.rank for a in ranked) and ranked[0].rank == 1
    awards = Certificate.objects.filter(contest=contest, kind=CertificateKind.AWARD)
    assert awards.count() >= 10 and set(awards.values_list("rank", flat=True)) <= set(range(1, 11))
    passed = papers.filter(passed=True).count()
    assert (
        Certificate.objects.filter(contest=contest).count()
        == passed + awards.filter(attempt__passed=False).count()
    )
    assert len(selectors.by_org(contest, "branch")) >= 5
    assert Contest.objects.get(title=OPEN).phase_at(timezone.now()) == "open"
    cert = awards.first()
    page = Client().get(f"/learning/quiz/verify/{cert.token}/")
    assert page.status_code == 200 and cert.number in page.content.decode()
