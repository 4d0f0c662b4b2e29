"""Demo step of discovery: after the demo's members have learned (a late step: whatever else they completed counts), the search index of the published
library (the courses indexed themselves as they were published; rebuilt here in full) and the
recommendation signals from their completions."""

from __future__ import annotations

from sanxin.demo.registry import DemoContext, step


@step(order=96, name="learning_discovery")
def build_discovery(ctx: DemoContext) -> None:
    from . import services

    docs = services.index_rebuild()
    run = services.signals_rebuild()
    ctx.progress(f"学习推荐与检索：检索条目 {docs} 条，{run.completions} 次完成计算课时相似度")
