"""Every write to the fund and to applications. Rules are checked here even when a view checked them.

The package is split by subject; callers import from `funds.services` only.
"""

from funds.services.applications import (
    create_application,
    return_for_revision,
    submit,
    update_application,
    withdraw,
)
from funds.services.common import (
    Eligibility,
    ancestor_ids,
    annual_subsidy_eligibility,
    bound_for,
    check_bounds,
    committed_in_year,
    fund_for,
    fund_officers,
    money,
    users_with_role_over,
    yearly_cap,
)
from funds.services.ledger import (
    disburse,
    disburse_batch,
    open_fund,
    pay_pairing_progress,
    pay_visit,
    record_income,
    record_recovery,
    reverse_entry,
)
from funds.services.notices import close_notices, recompute_notices, remind_emergency_meetings, remind_stale
from funds.services.objections import raise_objection, resolve_objection
from funds.services.review import approve, confirm_meeting, reconsider, record_meeting, reject
from funds.services.rules import add_partner_unit, set_amount_bound, set_partner_active, set_target

__all__ = [
    "Eligibility",
    "add_partner_unit",
    "ancestor_ids",
    "annual_subsidy_eligibility",
    "approve",
    "bound_for",
    "check_bounds",
    "close_notices",
    "committed_in_year",
    "confirm_meeting",
    "create_application",
    "disburse",
    "disburse_batch",
    "fund_for",
    "fund_officers",
    "money",
    "open_fund",
    "pay_pairing_progress",
    "pay_visit",
    "raise_objection",
    "recompute_notices",
    "reconsider",
    "record_income",
    "record_meeting",
    "record_recovery",
    "reject",
    "remind_emergency_meetings",
    "remind_stale",
    "resolve_objection",
    "return_for_revision",
    "reverse_entry",
    "set_amount_bound",
    "set_partner_active",
    "set_target",
    "submit",
    "update_application",
    "users_with_role_over",
    "withdraw",
    "yearly_cap",
]
