"""/api/v1/community/awards: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records."""

from ninja import Router

router = Router(tags=["评选表彰与四亮"])
