"""Shared set-up for the deals, samples and pipeline tests: the sourcing personas and helpers that
build the world (rows made with the ORM; the behaviour under test always goes through services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.test import Client
from django.utils import timezone

from liveops.quality.models import Checklist, Inspection
from liveops.sourcing.models import PipelineStage, Sample
from liveops.sourcing.services import pipeline as pipe_svc
from tests.conftest import make_person
from tests.factories import make_sample, verifier


def sourcing_people() -> SimpleNamespace:
    """MR recruiter (member), MR head (manager), QC inspector, an EC member (other department), the
    supervisory chair (auditor) and an outsider with a login but no position."""
    return SimpleNamespace(
        recruiter=make_person("mr-recruiter", "recruiter"),
        head=make_person("mr-head", "mr-head"),
        qc=make_person("qc-inspector", "qc"),
        ec=make_person("ec-shop-operator", "ec-member"),
        auditor=make_person("sv-chair", "auditor"),
        outsider=make_person(None, "outsider"),
    )


def client_as(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def terms(**overrides) -> dict:
    today = timezone.localdate()
    base = {
        "live_price": Decimal("79.00"),
        "regular_price": Decimal("129.00"),
        "commission_rate": Decimal("0.2000"),
        "slot_fee": Decimal("5000.00"),
        "guaranteed_stock": 3000,
        "exclusive": True,
        "valid_from": today,
        "valid_to": today + dt.timedelta(days=30),
        "gifts": "赠品：旅行装 1 支",
    }
    base.update(overrides)
    return base


def inspect(product, result: str = "passed", *, minutes_ago: int = 0) -> Inspection:
    """An inspection of the product's latest sample (made if missing) with ``result``."""
    checklist, _ = Checklist.objects.get_or_create(
        category=product.category, version=1, defaults={"title": "检验清单"}
    )
    sample = Sample.objects.filter(product=product).first() or make_sample(product)
    return Inspection.objects.create(
        product=product,
        sample=sample,
        checklist=checklist,
        inspector=verifier(),
        result=result,
        inspected_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def to_meeting(product, actor):
    """Walk ``product`` through the pipeline to the selection-meeting stage."""
    pipe_svc.pipeline_move(actor=actor, product=product, to_stage=PipelineStage.SAMPLE_REQUESTED)
    if not Sample.objects.filter(product=product).exists():
        make_sample(product)
    pipe_svc.pipeline_move(actor=actor, product=product, to_stage=PipelineStage.SAMPLE_RECEIVED)
    pipe_svc.pipeline_move(actor=actor, product=product, to_stage=PipelineStage.QC)
    inspect(product, "passed")
    product = pipe_svc.pipeline_move(actor=actor, product=product, to_stage=PipelineStage.MEETING)
    return product
