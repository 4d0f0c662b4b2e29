from ninja import Router

router = Router(tags=["党组织经费"])
