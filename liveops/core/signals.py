"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from liveops.core.audit import audit_log
from liveops.core.models import AuditAction


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_log(actor=user, action=AuditAction.LOGIN, instance=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action=AuditAction.LOGOUT, instance=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    User = get_user_model()
    audit_log(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type_label=f"{User._meta.app_label}.{User._meta.model_name}",
        object_repr=username,
    )
