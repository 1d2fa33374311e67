"""On PostgreSQL, the links of orders and order lines are checked once per statement instead of once per
row (``liveops.core.statement_fks``): a million-line import spent 23 s in per-row foreign key checks.
SQLite keeps its native foreign keys. The table names are written out: a migration must not change
when the models do."""

from django.db import migrations

from liveops.core.statement_fks import (
    StatementForeignKey,
    statement_fks_install,
    statement_fks_uninstall,
)

ORDER_LINKS = [
    StatementForeignKey("commerce_order", "shop_id", "commerce_shop"),
    StatementForeignKey("commerce_orderline", "order_id", "commerce_order"),
    StatementForeignKey("commerce_orderline", "shop_id", "commerce_shop"),
    StatementForeignKey("commerce_orderline", "anchor_account_id", "commerce_anchoraccount"),
    StatementForeignKey("commerce_orderline", "product_id", "sourcing_product"),
    StatementForeignKey("commerce_orderline", "sku_id", "sourcing_sku"),
    StatementForeignKey("commerce_orderline", "merchant_id", "sourcing_merchant"),
]


def install(apps, schema_editor):
    statement_fks_install(schema_editor, ORDER_LINKS)


def uninstall(apps, schema_editor):
    statement_fks_uninstall(schema_editor, ORDER_LINKS)


class Migration(migrations.Migration):
    dependencies = [("commerce", "0002_line_source_hash_shop_rollups_stamp")]
    operations = [migrations.RunPython(install, uninstall)]
