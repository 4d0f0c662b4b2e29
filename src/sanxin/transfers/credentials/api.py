from ninja import Router

router = Router(tags=["党员数字身份证"])
