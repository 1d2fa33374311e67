"""Reactions to other modules' changes: a product or SKU added to the library may name lines that
were imported before it existed (their 商家编码), so attribution reruns for those codes once the
change is committed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from liveops.sourcing.models import Product, Sku


def _rerun(codes: list[str]) -> None:
    from liveops.commerce.services.attribution import attribution_rerun_for_codes

    transaction.on_commit(lambda: attribution_rerun_for_codes(codes=codes))


@receiver(post_save, sender=Sku, dispatch_uid="commerce_sku_saved")
def sku_saved(sender, instance: Sku, **kwargs) -> None:
    if instance.sku_code:
        _rerun([instance.sku_code])


@receiver(post_save, sender=Product, dispatch_uid="commerce_product_saved")
def product_saved(sender, instance: Product, created: bool, **kwargs) -> None:
    if instance.merchant_code:
        _rerun([instance.merchant_code])
