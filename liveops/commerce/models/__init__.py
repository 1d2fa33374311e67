"""Models of e-commerce operations: shops, orders and their lines (the company's largest table),
attribution mappings, after-sales and settlement rows, daily rollups, and the marketing side
(campaigns, budgets, ad spend, KPIs, product lifecycle).

Money is stored as whole fen (分, ``BigIntegerField`` named ``*_fen``): exact, cheap to sum over
millions of lines on SQLite and PostgreSQL alike, and never a float."""

from liveops.commerce.models.aftersales import AfterSale, SettlementEntry
from liveops.commerce.models.marketing import (
    AdSpend,
    Budget,
    Campaign,
    Kpi,
    KpiMeasurement,
    KpiTarget,
    ProductLifecycle,
)
from liveops.commerce.models.orders import (
    AnchorAccount,
    AttributionRule,
    Order,
    OrderLine,
    Platform,
    Shop,
)
from liveops.commerce.models.rollups import (
    DailyDimensionRollup,
    DailyShopRollup,
    PeriodBuyers,
    RollupCheck,
    RollupDirty,
)

__all__ = [
    "AdSpend",
    "AfterSale",
    "AnchorAccount",
    "AttributionRule",
    "Budget",
    "Campaign",
    "DailyDimensionRollup",
    "DailyShopRollup",
    "Kpi",
    "KpiMeasurement",
    "KpiTarget",
    "Order",
    "OrderLine",
    "PeriodBuyers",
    "Platform",
    "ProductLifecycle",
    "RollupCheck",
    "RollupDirty",
    "SettlementEntry",
    "Shop",
]
