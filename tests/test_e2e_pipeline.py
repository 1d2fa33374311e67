"""Browser test of the selection pipeline in Debian's Chromium (Playwright, sync API): the MR manager
follows one product from candidate to approved on the board — request a sample, record it, QC (a
failed inspection keeps it out of the meeting, a passed one lets it in), scores at a selection
meeting, approval — and finds it in the Approved column. Any console error, page error or failed
request fails the test.

Never ``playwright install``: the browser is the distribution's /usr/bin/chromium.
"""

from __future__ import annotations

from tests.e2e_support import e2e_marks

pytestmark = e2e_marks


def test_manager_takes_a_product_from_candidate_to_approved(live_server, transactional_db, browser_page):
    from liveops.org.bootstrap import org_template_load
    from liveops.sourcing.models import Product
    from tests.conftest import PASSWORD, make_person
    from tests.factories import make_clear_product
    from tests.sourcing.test_pipeline_support import inspect

    org_template_load()
    make_person("mr-head", "mrhead", name="王经理")
    product = make_clear_product(title="玻尿酸保湿精华")
    page, problems = browser_page
    url = live_server.url

    page.goto(f"{url}/accounts/login/?next=/sourcing/pipeline/")
    page.fill("#id_username", "mrhead")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([data-lang])")
    page.wait_for_url(f"{url}/sourcing/pipeline/")
    page.wait_for_function("() => window.htmx !== undefined")

    card = f"#board [data-product='{product.pk}']"

    def move(stage: str) -> None:
        page.click(f"{card} button[data-move='{stage}']")
        page.wait_for_selector(f"#board section[data-stage='{stage}'] [data-product='{product.pk}']")

    # Candidate → sample requested (htmx, the board re-renders in place).
    page.wait_for_selector(f"#board section[data-stage='candidate'] [data-product='{product.pk}']")
    move("sample_requested")

    # Record the sample from the card, then back on the board: sample received → QC.
    page.click(f"{card} a[href*='/sourcing/samples/new/']")
    page.fill("#id_quantity", "2")
    page.fill("#id_unit_cost", "45.50")
    page.fill("#id_location", "样品间 A-3")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{url}/sourcing/pipeline/")
    move("sample_received")
    move("qc")

    # QC fails the sample: the meeting is refused with the reason, the card stays in QC.
    inspect(product, "failed", minutes_ago=10)
    page.reload()
    page.click(f"{card} button[data-move='meeting']")
    page.wait_for_selector("#board .alert-danger")
    assert page.locator(f"#board section[data-stage='qc'] [data-product='{product.pk}']").count() == 1
    # A new sample passes: on to the selection meeting.
    inspect(product, "passed", minutes_ago=1)
    move("meeting")

    # Schedule a meeting, score the product and approve it.
    page.goto(f"{url}/sourcing/selection/meetings/")
    page.fill("input[name=title]", "十月第一场选品会")
    page.click("main form[method=post] button.btn-primary")
    page.wait_for_selector(f"section[data-product='{product.pk}'] .review-form")
    form = page.locator(f"section[data-product='{product.pk}'] .review-form")
    form.locator("select[name=score_quality]").select_option("5")
    form.locator("select[name=score_price]").select_option("4")
    form.locator("select[name=score_demand]").select_option("4")
    form.locator("input[name=comment]").fill("性价比高")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"section[data-product='{product.pk}'] tfoot")
    assert "4.33" in page.locator(f"section[data-product='{product.pk}'] tfoot").inner_text()
    page.locator(f"section[data-product='{product.pk}'] .decide-form button[value=approve]").click()
    page.wait_for_selector(f"section[data-product='{product.pk}'] .badge.text-bg-success")

    # The product is in the Approved column of the board.
    page.goto(f"{url}/sourcing/pipeline/")
    page.wait_for_selector(f"#board section[data-stage='approved'] [data-product='{product.pk}']")
    assert page.locator("#board [data-count='approved']").inner_text() == "1"
    product.refresh_from_db()
    assert product.stage == "approved"
    assert list(Product.objects.get(pk=product.pk).pipeline_events.values_list("to_stage", flat=True)) == [
        "sample_requested",
        "sample_received",
        "qc",
        "meeting",
        "approved",
    ]

    # The printable report shows the decision and the QC result.
    page.goto(f"{url}/sourcing/pipeline/{product.pk}/report/")
    assert page.locator("[data-stage='approved']").count() == 1
    assert problems == []
