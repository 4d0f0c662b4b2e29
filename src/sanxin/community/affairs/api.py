"""/api/v1/community/affairs: 党务公开, 协商议事, 党员示范岗 and 责任区."""

from ninja import Router

router = Router(tags=["党务公开与协商议事"])
