import time
from decimal import Decimal
import pytest
from liveops.org.models import Plan, Staff, ActionItem, Resolution
from liveops.org import demo

def test_x(db):
    t=time.time()
    demo.demo_build()
    print("demo", time.time()-t, Staff.objects.count(), ActionItem.objects.filter(status__in=["open","in_progress"], due_on__lt=__import__("django.utils.timezone").utils.timezone.localdate()).count(),
      list(Resolution.objects.values_list("outcome", flat=True)), list(Plan.objects.values_list("status","resolution_id")))
    p = Plan.objects.first()
    for v in ["12345678901234.56", "99999999999999.99", "0.01", "1234567890123.45"]:
        Plan.objects.filter(pk=p.pk).update(gmv_target=Decimal(v))
        print(v, Plan.objects.get(pk=p.pk).gmv_target)
