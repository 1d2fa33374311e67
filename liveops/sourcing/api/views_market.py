"""Market intelligence API (LC-2, MC-3): the series of the market page as JSON."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.core.errors import DomainError
from liveops.sourcing.selectors import market as selectors
from liveops.sourcing.views.market import MarketFilterForm


def _series(name: str):
    return inline_serializer(
        name,
        {
            "shop": serializers.CharField(),
            "values": serializers.ListField(child=serializers.FloatField(allow_null=True)),
        },
        many=True,
    )


_summary = inline_serializer(
    "MarketSummary",
    {
        "platform": serializers.CharField(),
        "date_from": serializers.DateField(allow_null=True),
        "date_to": serializers.DateField(allow_null=True),
        "shops": serializers.ListField(child=serializers.CharField()),
        "all_shops": serializers.ListField(child=serializers.CharField()),
        "days": serializers.ListField(child=serializers.DateField()),
        "rows": serializers.IntegerField(),
        "listings": serializers.IntegerField(),
        "truncated": serializers.BooleanField(),
        "price_history": _series("MarketPriceSeries"),
        "velocity": _series("MarketVelocitySeries"),
        "share": inline_serializer(
            "MarketShare",
            {
                "shop": serializers.CharField(),
                "increase": serializers.IntegerField(),
                "share_pct": serializers.FloatField(),
            },
            many=True,
        ),
        "promotion": serializers.JSONField(allow_null=True),
        "top_listings": serializers.JSONField(),
        "listing": serializers.JSONField(allow_null=True),
    },
)


class MarketSummary(APIView):
    """Competitor price history (average price per shop and day), sales velocity (sales added per shop
    and day; a listing's first snapshot has no change), brand share of the sales increase and price
    moves around the promotion day, over the competitor snapshots of one platform."""

    capability = "sourcing.view"
    duties = ("LC-2", "MC-3")
    feature = gettext_noop("Market summary API")

    @extend_schema(
        parameters=[
            OpenApiParameter("platform", OpenApiTypes.STR, description="platform code, default tmall"),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("shops", OpenApiTypes.STR, many=True, description="repeat for several shops"),
            OpenApiParameter(
                "promo_day", OpenApiTypes.DATE, description="default: 11-11 of the end date's year"
            ),
            OpenApiParameter(
                "pre_days", OpenApiTypes.INT, description="days before the promotion day, default 7"
            ),
            OpenApiParameter(
                "listing", OpenApiTypes.STR, description="also return one listing's daily price and sales"
            ),
        ],
        responses=_summary,
    )
    def get(self, request):
        platform = (request.query_params.get("platform") or "tmall").strip().lower()[:20]
        bounds = selectors.market_bounds(access=request.access, platform=platform)
        form = MarketFilterForm(request.query_params, shops=bounds["shops"])
        if not form.is_valid():
            raise DomainError(
                _("Some filters are not valid."),
                code="invalid",
                fields={k: [str(e) for e in v] for k, v in form.errors.items()},
            )
        return Response(selectors.market_summary(access=request.access, filters=form.filters()))
