from liveops.talent.models.anchors import AnchorProfile

__all__ = ["AnchorProfile"]
