from ninja import Router

router = Router(tags=["双找双核"])
