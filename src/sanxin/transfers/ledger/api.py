from ninja import Router

router = Router(tags=["透明账本"])
