"""Every write to the fund and to applications. Rules are checked here even when a view checked them.

The package is split by subject; callers import from `funds.services` only.
"""

from funds.services.applications import (
    approve,
    create_application,
    raise_objection,
    record_meeting,
    reject,
    resolve_objection,
    return_for_revision,
    submit,
    update_application,
    withdraw,
)
from funds.services.common import (
    ancestor_ids,
    check_bounds,
    committed_in_year,
    fund_for,
    fund_officers,
    money,
    users_with_role_over,
    yearly_cap,
)
from funds.services.ledger import disburse, disburse_batch, open_fund, record_income, reverse_entry
from funds.services.notices import close_notices, remind_stale

__all__ = [
    "ancestor_ids", "approve", "check_bounds", "close_notices", "committed_in_year", "create_application",
    "disburse", "disburse_batch", "fund_for", "fund_officers", "money", "open_fund", "raise_objection",
    "record_income", "record_meeting", "reject", "remind_stale", "resolve_objection", "return_for_revision",
    "reverse_entry", "submit", "update_application", "users_with_role_over", "withdraw", "yearly_cap",
]
