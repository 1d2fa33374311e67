"""Quality pages with the personas: QC inspector (member), QC head (manager), EC shop operator
(other department), supervisory-board chair (auditor, read-only), outsider, anonymous."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from liveops.core.navigation import navigation_for
from liveops.quality import services
from liveops.quality.models import Block, Checklist, Defect, Inspection
from liveops.sourcing.models import Sample
from tests.quality.conftest import client_as

pytestmark = pytest.mark.django_db

READERS = {"inspector": 200, "head": 200, "mc_head": 200, "auditor": 200, "ec": 403, "outsider": 403}


@pytest.fixture
def records(world, people):
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="sample", sample=world.sample
    )
    defect = services.defect_create(
        actor=people.inspector, product=world.product, severity="major", description="色差"
    )
    block = services.block_merchant(actor=people.inspector, merchant=world.merchant, reason="资质存疑")
    return ins, defect, block


def urls(world, records):
    ins, defect, _block = records
    return [
        reverse("quality-checklists"),
        reverse("quality-checklist", args=[world.checklist.pk]),
        reverse("quality-inspections"),
        reverse("quality-inspection", args=[ins.pk]),
        reverse("quality-defects"),
        reverse("quality-defect", args=[defect.pk]),
        reverse("quality-blocklist"),
        reverse("quality-scorecards"),
    ]


@pytest.mark.parametrize(("who", "expected"), READERS.items())
def test_page_matrix(world, people, records, who, expected):
    c = client_as(getattr(people, who))
    for url in urls(world, records):
        assert c.get(url).status_code == expected, url


def test_anonymous_is_sent_to_login(world, records):
    for url in urls(world, records):
        response = client_as(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pages_have_no_inline_scripts(world, people, records):
    c = client_as(people.head)
    for url in urls(world, records):
        html = c.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == [], url


def test_navigation_lists_qc_tools(world, people, rf):
    request = rf.get("/")
    request.user = people.inspector
    nav = navigation_for(request)
    qc = [d for u in nav["units"] for d in u["departments"] if d["code"] == "QC"][0]
    assert {t["url"] for t in qc["tools"]} >= {
        reverse(n)
        for n in (
            "quality-checklists",
            "quality-inspections",
            "quality-defects",
            "quality-blocklist",
            "quality-scorecards",
        )
    }
    request = rf.get("/")
    request.user = people.ec
    nav = navigation_for(request)
    qc_urls = {
        t["url"] for u in nav["units"] for d in u["departments"] if d["code"] == "QC" for t in d["tools"]
    }
    assert not any(url.startswith("/quality/") for url in qc_urls)


# Writes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditor", "ec", "outsider"])
def test_posts_refused_for_readers_and_others(world, people, records, who):
    ins, defect, block = records
    c = client_as(getattr(people, who))
    posts = [
        (reverse("quality-checklists"), {"category": world.category.pk, "title": "x", "critical": "a"}),
        (reverse("quality-checklist", args=[world.checklist.pk]), {"title": "x", "critical": "a"}),
        (reverse("quality-inspections"), {"kind": "inbound", "product": world.product.pk, "batch_no": "B"}),
        (reverse("quality-inspection", args=[ins.pk]), {"open_defect": "on"}),
        (
            reverse("quality-inspection-item", args=[ins.pk, world.checklist.items.first().pk]),
            {"passed": "1"},
        ),
        (reverse("quality-defects"), {"product": world.product.pk, "severity": "minor", "description": "x"}),
        (reverse("quality-defect", args=[defect.pk]), {"action": "close"}),
        (reverse("quality-blocklist"), {"target": "product", "product": world.product.pk, "reason": "x"}),
        (reverse("quality-block-lift", args=[block.pk]), {"reason": "x"}),
        (reverse("quality-scorecards"), {"period": "2026-03"}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 403, url
    assert Checklist.objects.count() == 1 and Inspection.objects.count() == 1 and Defect.objects.count() == 1
    block.refresh_from_db()
    assert block.lifted_at is None and Block.objects.count() == 1


def test_checklist_create_and_revise_pages(world, people):
    from tests.factories import make_category

    food = make_category("food", required=[])
    c = client_as(people.inspector)
    r = c.post(
        reverse("quality-checklists"),
        {"category": food.pk, "title": "食品来样", "critical": "保质期\n生产日期", "other": "外箱"},
    )
    cl = Checklist.objects.get(category=food)
    assert r.status_code == 302 and r["Location"] == reverse("quality-checklist", args=[cl.pk])
    assert [(i.text, i.is_critical) for i in cl.items.all()] == [
        ("保质期", True),
        ("生产日期", True),
        ("外箱", False),
    ]
    page = c.get(reverse("quality-checklist", args=[cl.pk])).content.decode()
    assert "保质期" in page and 'id="versions"' in page
    r = c.post(
        reverse("quality-checklist", args=[cl.pk]), {"title": "食品来样", "critical": "保质期", "other": ""}
    )
    new = Checklist.objects.get(category=food, is_active=True)
    assert new.version == 2 and r["Location"] == reverse("quality-checklist", args=[new.pk])
    # The old version shows no revise form; the error is shown for an empty checklist.
    assert "Save new version" not in c.get(reverse("quality-checklist", args=[cl.pk])).content.decode()
    r = c.post(reverse("quality-checklist", args=[new.pk]), {"title": "x", "critical": "", "other": ""})
    assert r.status_code == 200 and "Add at least one check." in r.content.decode()


def test_inspection_flow_through_pages(world, people, media):
    c = client_as(people.inspector)
    r = c.post(reverse("quality-inspections"), {"kind": "sample", "sample": world.sample.pk, "product": ""})
    ins = Inspection.objects.get()
    assert r.status_code == 302 and ins.product_id == world.product.pk and ins.sample_id == world.sample.pk
    page = c.get(reverse("quality-inspection", args=[ins.pk])).content.decode()
    assert page.count("hx-post=") == 3
    items = list(world.checklist.items.all())
    # htmx: the answer comes back as the row.
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    r = c.post(
        reverse("quality-inspection-item", args=[ins.pk, items[0].pk]),
        {"passed": "0", "note": "破损", "photo": photo},
        HTTP_HX_REQUEST="true",
    )
    assert (
        r.status_code == 200
        and r.content.decode().lstrip().startswith("<tr")
        and f'id="item-{items[0].pk}"' in r.content.decode()
    )
    # Plain POST (no JavaScript) goes back to the form.
    for item in items[1:]:
        r = c.post(reverse("quality-inspection-item", args=[ins.pk, item.pk]), {"passed": "1"})
        assert r.status_code == 302
    r = c.post(reverse("quality-inspection", args=[ins.pk]), {"open_defect": "on", "defect_severity": ""})
    ins.refresh_from_db()
    assert ins.result == "failed"
    assert Defect.objects.get().inspection_id == ins.pk
    world.sample.refresh_from_db()
    assert world.sample.status == Sample.Status.IN_QC
    assert ins.item_results.get(item=items[0]).photo.name
    # The photo is served through a permission check, not from a public media URL.
    photo_url = reverse("quality-inspection-photo", args=[ins.pk, items[0].pk])
    assert photo_url in c.get(reverse("quality-inspection", args=[ins.pk])).content.decode()
    assert c.get(photo_url).status_code == 200
    assert client_as(people.auditor).get(photo_url).status_code == 200
    assert client_as(people.ec).get(photo_url).status_code == 403
    assert c.get(reverse("quality-inspection-photo", args=[ins.pk, items[1].pk])).status_code == 404


def test_inspection_list_filters(world, people, records):
    from tests.factories import make_clear_product

    ins, *_ = records
    other = make_clear_product(category=world.category)
    other_ins = services.inspection_start(
        actor=people.inspector, product=other, kind="inbound", batch_no="B9"
    )
    c = client_as(people.inspector)

    def ids(**params):
        html = c.get(reverse("quality-inspections"), params).content.decode()
        return {int(x) for x in re.findall(r'/quality/inspections/(\d+)/"', html)}

    assert ids() == {ins.pk, other_ins.pk}
    assert ids(product=other.pk) == {other_ins.pk}
    assert ids(merchant=world.merchant.pk) == {ins.pk}
    assert ids(result="passed") == set()
    assert ids(kind="inbound") == {other_ins.pk}


def test_defect_and_capa_pages(world, people, records):
    import datetime as dt

    from django.utils import timezone

    _ins, defect, _block = records
    c = client_as(people.inspector)
    url = reverse("quality-defect", args=[defect.pk])
    r = c.post(url, {"op": "add_capa", "kind": "corrective", "action": "", "due_on": "2020-01-01"})
    assert r.status_code == 200 and defect.actions.count() == 0  # the missing text is shown on the form
    overdue_day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    r = c.post(url, {"op": "add_capa", "kind": "corrective", "action": "整批退回", "due_on": overdue_day})
    assert r.status_code == 302
    capa = defect.actions.get()
    defect.refresh_from_db()
    assert defect.status == "in_capa"
    page = c.get(reverse("quality-defects")).content.decode()
    assert "整批退回" in page.split('id="overdue-capa"')[1]
    r = c.post(url, {"op": "close"})
    defect.refresh_from_db()
    assert r.status_code == 302 and defect.status == "in_capa"  # an open action stops the close
    c.post(url, {"op": "update_capa", "capa": capa.pk, "status": "done", "follow_up": "已退回"})
    capa.refresh_from_db()
    assert (capa.status, capa.follow_up) == ("done", "已退回")
    c.post(url, {"op": "close"})
    defect.refresh_from_db()
    assert defect.status == "closed"
    assert "整批退回" not in c.get(reverse("quality-defects")).content.decode().split('id="overdue-capa"')[1]


def test_blocklist_page_lift_form_only_for_managers(world, people, records):
    _ins, _defect, block = records
    lift_url = reverse("quality-block-lift", args=[block.pk])
    assert lift_url not in client_as(people.inspector).get(reverse("quality-blocklist")).content.decode()
    assert lift_url not in client_as(people.auditor).get(reverse("quality-blocklist")).content.decode()
    assert lift_url in client_as(people.head).get(reverse("quality-blocklist")).content.decode()
    assert lift_url in client_as(people.mc_head).get(reverse("quality-blocklist")).content.decode()
    # The block form is there for QC staff, not for the auditor.
    assert 'name="reason"' in client_as(people.inspector).get(reverse("quality-blocklist")).content.decode()
    assert 'name="reason"' not in client_as(people.auditor).get(reverse("quality-blocklist")).content.decode()


def test_block_and_lift_through_pages(world, people):
    c = client_as(people.inspector)
    r = c.post(
        reverse("quality-blocklist"),
        {"target": "product", "product": world.product.pk, "reason": "抽检不合格"},
    )
    assert r.status_code == 302
    block = Block.objects.get()
    r = c.post(
        reverse("quality-blocklist"), {"target": "product", "product": world.product.pk, "reason": "again"}
    )
    assert r.status_code == 200 and Block.objects.count() == 1  # already blocked: shown on the form
    assert c.post(reverse("quality-block-lift", args=[block.pk]), {"reason": "ok"}).status_code == 403
    r = client_as(people.head).post(reverse("quality-block-lift", args=[block.pk]), {"reason": "复检合格"})
    assert r.status_code == 302
    block.refresh_from_db()
    assert block.lifted_by == people.head and block.lift_reason == "复检合格"
    lifted = client_as(people.auditor).get(reverse("quality-blocklist"), {"state": "lifted"}).content.decode()
    assert "复检合格" in lifted


def test_scorecard_page(world, people):
    from django.utils import timezone

    period = timezone.localdate().strftime("%Y-%m")
    ins = services.inspection_start(
        actor=people.inspector, product=world.product, kind="inbound", batch_no="B"
    )
    for item in world.checklist.items.all():
        services.inspection_record_item(
            actor=people.inspector, inspection=ins, item=item, passed=item.is_critical is False
        )
    services.inspection_complete(actor=people.inspector, inspection=ins)
    c = client_as(people.inspector)
    r = c.post(reverse("quality-scorecards"), {"period": period})
    assert r.status_code == 302
    html = c.get(reverse("quality-scorecards"), {"period": period}).content.decode()
    assert world.merchant.name in html
    assert 'id="scorecard-data"' in html and "liveops/quality.js" in html
    assert "Delivery scores are filled in once shipping data is imported" in html
    assert 'id="complaint-rate"' in html and "No after-sales cases for quality reasons" in html
    assert "below threshold" in html  # quality 0 − 10 (critical defect → 20) → flagged
    r = c.post(reverse("quality-scorecards"), {"period": "nonsense"})
    assert r.status_code == 302


def test_exports(world, people, records):
    c = client_as(people.inspector)
    for name in ("quality-inspections", "quality-defects", "quality-scorecards"):
        r = c.get(reverse(name), {"export": "csv"})
        assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    r = client_as(people.auditor).get(reverse("quality-defects"), {"export": "xlsx"})
    assert r.status_code == 200  # export is a read capability: the auditor has it
