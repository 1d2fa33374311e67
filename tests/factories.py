"""Small factories for sourcing and quality tests: rows made directly with the ORM (no audit), for
setting up a world; the behaviour under test always goes through services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from liveops.core.pinyin import pinyin_full, pinyin_initials
from liveops.org.models import Department
from liveops.sourcing.models import Brand, Category, Credential, Merchant, Product, Sample, Sku

_n = itertools.count(1)


def make_category(
    code: str = "skincare",
    *,
    name_zh: str = "护肤",
    required: list[str] | None = None,
    standards: str = "GB/T 29665-2013",
) -> Category:
    cat, _ = Category.objects.get_or_create(
        code=code,
        defaults={
            "name_zh": name_zh,
            "name_en": code,
            "standards": standards,
            "required_credentials": required if required is not None else ["cosmetics_filing"],
        },
    )
    return cat


def make_merchant(
    name: str | None = None, *, kind: str = "brand_owner", department: str = "MR", uscc: str | None = None
) -> Merchant:
    n = next(_n)
    name = name or f"测试商家{n}"
    return Merchant.objects.create(
        name=name,
        name_pinyin=pinyin_full(name),
        name_initials=pinyin_initials(name),
        kind=kind,
        uscc=uscc or f"91330100MA{n:08d}",
        department=Department.objects.get(code=department),
    )


def make_brand(owner: Merchant, name: str | None = None) -> Brand:
    return Brand.objects.create(name=name or f"品牌{next(_n)}", owner=owner)


def verifier():
    User = get_user_model()
    return User.objects.filter(username="factory-verifier").first() or User.objects.create_user(
        "factory-verifier", password=None
    )


def make_credential(
    merchant: Merchant,
    kind: str = "business_licence",
    *,
    verified: bool = True,
    expires_in_days: int = 365,
    brand: Brand | None = None,
    grantor: Merchant | None = None,
    product: Product | None = None,
) -> Credential:
    today = timezone.localdate()
    return Credential.objects.create(
        merchant=merchant,
        kind=kind,
        number=f"C{next(_n):06d}",
        brand=brand,
        grantor=grantor,
        product=product,
        issued_on=today - dt.timedelta(days=400),
        expires_on=today + dt.timedelta(days=expires_in_days),
        verification="verified" if verified else "pending",
        verified_by=verifier() if verified else None,
        verified_at=timezone.now() if verified else None,
    )


def make_product(
    merchant: Merchant,
    *,
    category: Category | None = None,
    brand: Brand | None = None,
    title: str | None = None,
    stage: str = "candidate",
    price: str = "99.00",
) -> Product:
    title = title or f"测试商品{next(_n)}"
    p = Product.objects.create(
        merchant=merchant,
        brand=brand,
        category=category or make_category(),
        title=title,
        title_pinyin=pinyin_full(title)[:200],
        title_initials=pinyin_initials(title)[:100],
        regular_price=Decimal(price),
        stage=stage,
        department=merchant.department,
    )
    Sku.objects.create(
        product=p, sku_code=f"SKU{p.pk:06d}", barcode=f"69{p.pk:011d}", spec="标准装", price=Decimal(price)
    )
    return p


def make_clear_product(**kwargs) -> Product:
    """A product of a brand-owner merchant with every credential valid: nothing blocks its approval."""
    m = make_merchant()
    make_credential(m, "business_licence")
    make_credential(m, "cosmetics_filing")
    return make_product(m, brand=make_brand(m), **kwargs)


def make_sample(
    product: Product, *, quantity: int = 2, status: str = "received", must_return: bool = False
) -> Sample:
    return Sample.objects.create(
        merchant=product.merchant,
        product=product,
        quantity=quantity,
        unit_cost=Decimal("50.00"),
        status=status,
        must_return=must_return,
        return_due=(timezone.localdate() + dt.timedelta(days=14)) if must_return else None,
        department=product.department,
        return_tracking_no="SF1" if status == "returned" else "",
    )
