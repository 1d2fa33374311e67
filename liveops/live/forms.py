"""Forms of the live pages. They only read input; the services decide (double bookings, the gate)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liveops.core.forms import StyledForm, style_widgets
from liveops.live.models import LiveSession, Mechanic
from liveops.live.selectors.sessions import account_list, studio_list
from liveops.org.models import Staff
from liveops.sourcing.models import PipelineStage, Product
from liveops.talent.models import AnchorProfile

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionForm(StyledForm):
    """Plan or re-plan a session."""

    account = forms.ModelChoiceField(queryset=None, label=_("Account"))
    studio = forms.ModelChoiceField(queryset=None, required=False, label=_("Room"))
    title = forms.CharField(max_length=120, required=False, label=_("Title"))
    planned_start = forms.DateTimeField(widget=_DT, label=_("Planned start"))
    planned_end = forms.DateTimeField(widget=_DT, label=_("Planned end"))
    anchors = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_("Anchors"))
    assistant = forms.ModelChoiceField(queryset=None, required=False, label=_("Assistant"))
    field_controller = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Field controller (场控)")
    )
    operator = forms.ModelChoiceField(queryset=None, required=False, label=_("Operator"))
    target_gmv = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, label=_("GMV target (CNY)")
    )
    target_viewers = forms.IntegerField(min_value=0, required=False, label=_("Viewers target"))
    target_orders = forms.IntegerField(min_value=0, required=False, label=_("Orders target"))
    target_new_fans = forms.IntegerField(min_value=0, required=False, label=_("New fans target"))

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = account_list(access=access).filter(is_active=True)
        self.fields["account"].queryset = accounts
        self.fields["studio"].queryset = studio_list(access=access).filter(is_active=True)
        self.fields["anchors"].queryset = AnchorProfile.objects.exclude(
            status=AnchorProfile.Status.LEFT
        ).order_by("stage_name")
        people = Staff.objects.filter(is_active=True, department__code__in=["LS", "LC"]).order_by("name")
        for name in ("assistant", "field_controller", "operator"):
            self.fields[name].queryset = people
        style_widgets(self)

    def clean(self):
        cd = super().clean()
        if cd.get("planned_start") and cd.get("planned_end") and cd["planned_end"] <= cd["planned_start"]:
            self.add_error("planned_end", _("The session must end after it starts."))
        return cd

    @staticmethod
    def initial_for(session: LiveSession) -> dict:
        from django.utils import timezone

        return {
            "account": session.account_id,
            "studio": session.studio_id,
            "title": session.title,
            "planned_start": timezone.localtime(session.planned_start) if session.planned_start else None,
            "planned_end": timezone.localtime(session.planned_end) if session.planned_end else None,
            "anchors": list(session.anchors.values_list("pk", flat=True)),
            "assistant": session.assistant_id,
            "field_controller": session.field_controller_id,
            "operator": session.operator_id,
            "target_gmv": session.target_gmv,
            "target_viewers": session.target_viewers,
            "target_orders": session.target_orders,
            "target_new_fans": session.target_new_fans,
        }


class LineupAddForm(StyledForm):
    """Add a product to a line-up. Only approved products are offered; the gate checks the rest."""

    product = forms.ModelChoiceField(queryset=None, label=_("Product"))
    live_price = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        label=_("Live price (CNY)"),
        help_text=_("Empty: the deal's live price."),
    )
    stock_allotted = forms.IntegerField(min_value=0, required=False, initial=0, label=_("Stock allotted"))
    mechanics = forms.MultipleChoiceField(
        choices=Mechanic.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Mechanics")
    )
    selling_points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Selling points")
    )
    slot = forms.CharField(
        max_length=20, required=False, label=_("Time slot"), help_text=_("e.g. 20:15-20:30")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Approved products; a product refused by the gate (blocked since) is refused with its reason.
        self.fields["product"].queryset = Product.objects.filter(stage=PipelineStage.APPROVED).order_by(
            "title"
        )
        self.fields["mechanics"].widget.attrs = {}
