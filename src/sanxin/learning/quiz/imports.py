"""题库导入: a bank's questions from an Excel or CSV file through the core import framework.

Headers as offices write them: 题型 (单选/多选/判断/填空, with or without 题), 题干, 选项A … 选项F, 答案
("A", "ACD", "A、C", 对/错/√/×, fill-in answers separated by ｜ or |), 解析, 标签 (separated by commas
or 、). A row is refused with a Chinese reason for an unknown kind, a missing stem or answer, too few
(or repeated, or gapped) options, an answer letter outside the options given, and a question whose stem
(normalised: spaces, punctuation, width and case aside) is already in the bank or earlier in the file.
In all-or-nothing mode a file with any such row imports nothing.

The file is uploaded for one bank (``services.bank_import_upload`` puts its id in the job's context),
by someone who may change that bank; new questions are written a batch at a time and audited as one row
a batch.
"""

from __future__ import annotations

from django.db import transaction

from sanxin.core import audit
from sanxin.core.errors import InvalidInput
from sanxin.core.excel.importer import Column, Importer, RowError, register
from sanxin.core.scope import scope_for

from . import scoring, services
from .models import LETTERS, Bank, Question

COLUMNS = [
    Column(
        "kind", "题型", aliases=("题目类型", "试题类型", "类型"), required=True, help="单选、多选、判断或填空"
    ),
    Column("stem", "题干", aliases=("题目", "试题", "题目内容", "问题"), required=True),
    *[Column(f"option_{c.lower()}", f"选项{c}", aliases=(c, f"{c}选项", f"选项{c}内容")) for c in LETTERS],
    Column(
        "answer",
        "答案",
        aliases=("正确答案", "参考答案", "标准答案"),
        help="选择题填字母（如 A、ACD），判断题填“对”或“错”，填空题多个可接受答案用｜分隔",
    ),
    Column("explanation", "解析", aliases=("答案解析", "试题解析", "说明")),
    Column("tags", "标签", aliases=("知识点", "分类")),
]


@register
class BankImporter(Importer):
    key = "learning_quiz_bank"
    label = "题库试题"
    module, action = "learning", "change"
    columns = COLUMNS
    natural_key = ("stem",)  # the same question twice in the file: "与第 N 行重复" (see ``key_of``)
    listed = False  # uploaded from a bank's import page, which names the bank

    def __init__(self, *, actor=None, job=None):
        super().__init__(actor=actor, job=job)
        self._bank: Bank | None = None
        self._known: set[str] | None = None

    @property
    def bank(self) -> Bank:
        if self._bank is None:
            if self.job is None or "bank_id" not in self.job.context:
                raise InvalidInput("题库试题须从题库的“导入试题”页面上传", field="file")
            bank = Bank.objects.select_related("owner").filter(pk=self.job.context["bank_id"]).first()
            if bank is None or not scope_for(self.actor, "learning", "change").contains(bank):
                raise InvalidInput("题库不存在或不在你的管理范围内", field="file")
            self._bank = bank
        return self._bank

    def key_of(self, cleaned: dict) -> tuple:
        return (cleaned["stem_key"],)  # the normalised stem: spaces, punctuation and width aside

    def rolled_back(self) -> None:
        self._known = None

    def _in_bank(self, key: str) -> bool:
        if self._known is None:
            self._known = set(Question.objects.filter(bank=self.bank).values_list("stem_key", flat=True))
        return key in self._known

    def validate_row(self, values: dict[str, str]) -> dict:
        kind_text = (values.get("kind") or "").strip()
        kind = scoring.kind_of(kind_text)
        if kind is None:
            raise RowError("kind", f"未知的题型“{kind_text}”，应为单选、多选、判断或填空")
        options = [values.get(f"option_{c.lower()}") or "" for c in LETTERS]
        if not (values.get("answer") or "").strip():
            raise RowError("answer", "缺少答案")
        try:
            fields = services.question_fields(
                kind=kind,
                stem=values.get("stem") or "",
                options=options,
                answer=values.get("answer") or "",
                explanation=values.get("explanation") or "",
                tags=values.get("tags") or "",
            )
        except InvalidInput as exc:
            column = {"options": "option_a"}.get(exc.field, exc.field)
            raise RowError(column, exc.message) from None
        if self._in_bank(fields["stem_key"]):
            raise RowError("stem", "题库中已有相同的题目（题干相同），不能重复导入")
        return fields

    def apply_row(self, cleaned: dict, actor) -> str:
        result = self.apply_rows([cleaned], actor)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_rows(self, rows: list[dict], actor) -> list[str | Exception]:
        """A batch's new questions in one insert, audited as one row (``rolled_back`` and the framework's
        row-by-row retry take over if the database refuses the batch)."""
        who = actor if getattr(actor, "is_authenticated", False) else None
        bank = self.bank
        with transaction.atomic():
            made = Question.objects.bulk_create(
                [Question(bank=bank, created_by=who, updated_by=who, **c) for c in rows]
            )
            ids = [q.pk for q in made if q.pk] or list(
                Question.objects.filter(bank=bank, stem_key__in=[c["stem_key"] for c in rows]).values_list(
                    "pk", flat=True
                )
            )
            audit.record_batch(
                actor=actor,
                action="quiz_question_import",
                model=Question,
                ids=ids,
                after={"bank": bank.pk, "import": str(self.job.pk) if self.job else ""},
            )
        if self._known is not None:
            self._known.update(c["stem_key"] for c in rows)
        return ["created"] * len(rows)


def ready() -> None:
    """Importing this module registers the importer."""
