from liveops.talent.services.anchors import anchor_accounts_set, anchor_create, anchor_update

__all__ = ["anchor_accounts_set", "anchor_create", "anchor_update"]
