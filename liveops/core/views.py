"""Company-wide pages: home, health check, language switch, duty coverage, audit log, account."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liveops.core import selectors
from liveops.core.directory import directory
from liveops.core.errors import NotAllowed
from liveops.core.forms import int_or_none
from liveops.core.links import may_open
from liveops.core.models import UserPreference
from liveops.core.permissions import capability_required, login_only, public_view


@public_view
def healthz(request):
    """200 when the database answers, 503 otherwise. For load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_only
def home(request):
    context = {**directory().home_panels(request=request), "coverage": selectors.duty_coverage_summary()}
    return render(request, "core/home.html", context)


@public_view
@require_POST
def set_language(request):
    """Switch the interface language; saved on the user's preferences when signed in."""
    lang = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if lang in dict(translation.trans_real.settings.LANGUAGES):
        if request.user.is_authenticated:
            UserPreference.objects.update_or_create(user=request.user, defaults={"language": lang})
        response.set_cookie("django_language", lang, samesite="Lax", httponly=True)
        translation.activate(lang)
    return response


@login_only
def duty_coverage(request):
    """Every duty ID of the duty map with the pages and API endpoints that serve it."""
    rows = selectors.duty_coverage()
    for row in rows:
        for feature in row["features"]:
            # A page the viewer may not open is named, not linked (no link answers 403).
            feature["linked"] = (
                feature["kind"] == "page"
                and "<" not in feature["route"]
                and may_open(access=request.access, path=feature["route"])
            )
    status = request.GET.get("status", "")
    if status == "covered":
        rows = [r for r in rows if r["covered"]]
    elif status == "open":
        rows = [r for r in rows if not r["covered"]]
    return render(
        request,
        "core/duty_coverage.html",
        {"rows": rows, "summary": selectors.duty_coverage_summary(), "status": status},
    )


@capability_required("core.audit_view")
def audit_list(request):
    """The global audit log, filterable by actor, action, object type and date; keyset paginated."""
    page = selectors.audit_page(
        access=request.access,
        actor=request.GET.get("actor", ""),
        action=request.GET.get("action", ""),
        object_type=request.GET.get("object_type", ""),
        date_from=request.GET.get("from", ""),
        date_to=request.GET.get("to", ""),
        before_id=request.GET.get("before", ""),
    )
    template = (
        "core/_audit_rows.html" if request.htmx and request.GET.get("before") else "core/audit_list.html"
    )
    from liveops.core.models import AuditAction

    return render(request, template, {"page": page, "actions": AuditAction.choices, "filters": request.GET})


@login_only
def object_history(request, object_type: str, object_id: str):
    """History tab of one record: only for users who may see that record."""
    entries = selectors.object_history(
        access=request.access, user=request.user, object_type=object_type, object_id=object_id
    )
    if entries is None:
        from django.http import Http404

        raise Http404
    return render(request, "core/_history.html", {"entries": entries})


@login_only
def account(request):
    """Own preferences (language) and API tokens."""
    from liveops.core import services

    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create_token":
            name = request.POST.get("name", "").strip() or _("API token")
            token, new_key = services.api_token_create(actor=request.user, name=name[:100])
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        elif action == "revoke_token":
            # Only the caller's own tokens are revocable here: any other ID (malformed, unknown, or
            # another user's) is a 404, as the token list shows no other.
            token_id = int_or_none(request.POST.get("token_id"))
            if token_id is None or not request.user.api_tokens.filter(pk=token_id).exists():
                raise Http404
            try:
                services.api_token_revoke(actor=request.user, token_id=token_id)
            except NotAllowed as exc:
                raise PermissionDenied from exc
            messages.success(request, _("Token revoked."))
    tokens = request.user.api_tokens.all()
    return render(request, "core/account.html", {"tokens": tokens, "new_key": new_key})


@capability_required("core.admin", "core.audit_view")
def roles(request):
    """Roles, their capabilities and who holds them (IT administers; the auditor reads). Granting and
    revoking need ``core.admin`` and are audited."""
    from django.shortcuts import get_object_or_404, redirect

    from liveops.core import services
    from liveops.core.capabilities import CAPABILITIES
    from liveops.core.errors import DomainError
    from liveops.core.models import DataScope, Role, RoleGrant

    can_admin = request.access.can("core.admin")
    if request.method == "POST":
        if not can_admin:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "revoke":
                grant = get_object_or_404(RoleGrant, pk=int_or_none(request.POST.get("grant")))
                services.role_grant_revoke(actor=request.user, grant=grant)
            else:
                role = get_object_or_404(Role, pk=int_or_none(request.POST.get("role")))
                position = directory().position_get(request.POST.get("position"))
                if position is None:
                    raise Http404
                scope = request.POST.get("scope", "")
                if scope not in DataScope.values:
                    raise DomainError(
                        _("Choose a data scope."), fields={"scope": [_("Choose a data scope.")]}
                    )
                services.role_grant(actor=request.user, role=role, scope=scope, position=position)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("roles")
    all_roles = list(Role.objects.prefetch_related("capabilities").order_by("code"))
    grants = RoleGrant.objects.select_related("role", "position__department", "user").order_by(
        "role__code", "position__code"
    )
    return render(
        request,
        "core/roles.html",
        {
            "roles": [
                {
                    "role": r,
                    "capabilities": [
                        CAPABILITIES.get(c.capability) or c.capability for c in r.capabilities.all()
                    ],
                }
                for r in all_roles
            ],
            "grants": grants,
            "can_admin": can_admin,
            "positions": directory().positions(),
            "scopes": DataScope.choices,
        },
    )
