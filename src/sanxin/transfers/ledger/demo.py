"""The demo's ledger: every membership change the earlier steps made is in the ledger (the steps'
events are delivered here at once, in order, rather than by the task consumer later), and the tree
head is signed, so ``sanxin ledger verify`` passes on a fresh demo."""

from __future__ import annotations

from sanxin.demo.registry import DemoContext, step

from . import services


@step(order=62, name="ledger")
def build_ledger(ctx: DemoContext) -> None:
    appended = services.catch_up()
    head = services.sign_head()
    ctx.progress(f"透明账本：新记入 {appended} 条，树大小 {head.size if head else 0}")
