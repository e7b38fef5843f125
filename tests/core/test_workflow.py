import pytest

from core.errors import DomainError
from core.workflow import Transitions

FLOW = Transitions(
    {"draft": {"submitted"}, "submitted": {"approved", "rejected"}},
    {"draft": "草稿", "submitted": "已提交", "approved": "已批准", "rejected": "已驳回"},
)


def test_allowed_moves_pass():
    FLOW.check("draft", "submitted")
    assert FLOW.allowed("submitted") == {"approved", "rejected"}


def test_a_move_outside_the_table_is_refused_in_chinese():
    with pytest.raises(DomainError, match="当前状态为“草稿”，不能变更为“已批准”"):
        FLOW.check("draft", "approved")


def test_final_states_allow_nothing():
    assert not FLOW.can("approved", "draft")
