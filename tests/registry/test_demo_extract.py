"""The sample extract shipped with the demo: imported into the demo, it shows new organizations, one
renamed, one uncertain match for review and two that the register no longer lists."""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model

import sanxin.demo
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob, Industry, Region
from sanxin.registry import extracts
from sanxin.registry.models import MatchReview, Organization

SAMPLE = Path(sanxin.demo.__file__).parent / "data" / "xinchengqu-express-extract-2026-10.csv"


def test_demo_extract_shows_new_and_closed_organizations(demo_db):
    zzb = get_user_model().objects.get(username="zzb")
    extract = extracts.extract_declare(
        actor=zzb,
        source="market",
        region=Region.objects.get(code="390102000000"),
        industry=Industry.objects.get(code="express"),
        as_of=dt.date(2026, 10, 31),
    )
    job = extracts.extract_upload(
        actor=zzb, extract=extract, name=SAMPLE.name, chunks=[SAMPLE.read_bytes()], mode="all"
    )
    assert job.mapping == {
        "0": "credit_code",
        "1": "name",
        "2": "address",
        "3": "registered_on",
        "4": "authority",
        "5": "industry",
    }
    imp.job_confirm(actor=zzb, job=job, mapping=job.mapping, enqueue=False)
    job = imp.run_job(job.pk)
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.created_count == 3 and job.updated_count >= 1
    assert set(Organization.objects.filter(possibly_closed=True).values_list("name", flat=True)) == {
        "急速达新华站",
        "蜂行快送新华站",
    }
    review = MatchReview.objects.get()
    assert review.candidate.name == "新河东速02快递服务部" and review.data["name"] == "新河东速02快件服务部"
    assert Organization.objects.filter(name="蜂行快送城关站（新河）").exists()
