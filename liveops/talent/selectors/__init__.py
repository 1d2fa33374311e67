from liveops.talent.selectors.anchors import anchor_get, anchor_list, mask_name

__all__ = ["anchor_get", "anchor_list", "mask_name"]
