"""Indexes for the lists at scale (issue 18): orders newest first per shop (``order_shop_id``) and by
payment time with the id as tie-break (``order_shop_paid`` gains the id), and the
unmatched queue read from a covering partial index of the unmatched lines only
(``line_unmatched_queue``), so neither sorts nor scans the order tables."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0003_order_links_checked_per_statement"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_shop_paid"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["shop", "paid_at", "id"], name="order_shop_paid"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["shop", "id"], name="order_shop_id"),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                condition=models.Q(("product__isnull", True)),
                fields=["shop", "platform_product_id", "merchant_code", "amount_paid_fen", "id"],
                name="line_unmatched_queue",
            ),
        ),
    ]
