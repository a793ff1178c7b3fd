"""Every change to people and organisations (R4–R6, R10–R13, R20.1, R22.1, R28.1).

Each service runs in one transaction, checks the actor's role over the place it touches
(:func:`gridgov.access.scoping.require`), refuses bad input with a ``DomainError`` naming the field,
and writes one audit record. Personal data never enters the audit trail in clear: snapshots
carry the masked forms only.

``actor`` is a user, or a string / None for the system (management commands, the demo, tasks).

One module per concern; the package exports every service, so callers write
``services.assign_worker(...)``:

- :mod:`~people.services.organisations`: grid agencies, department kinds and departments,
  village (community) committees and their members (R4–R6);
- :mod:`~people.services.accounts`: accounts, passwords and roles (R20.1, R22.1);
- :mod:`~people.services.workers`: recruiting, correcting, changing the kind of, exiting and
  rehiring grid workers (R10–R13);
- :mod:`~people.services.grid_assignments`: assigning workers to grids and ending assignments,
  also when grids change (R10.1–R10.3, R8.1);
- :mod:`~people.services.worker_records`: training and equipment (R13.1);
- :mod:`~people.services.personal_data`: revealing protected fields and the access log (R22.1).

What they share (finding a region, cleaning dates and choices, locking a worker) is
:mod:`people.services.common`.
"""

from people.services.accounts import (
    account_jurisdictions,
    create_account,
    grant_role,
    require_account_manager,
    revoke_role,
    set_account_active,
    set_password,
    update_account,
)
from people.services.grid_assignments import (
    assign_worker,
    end_assignment,
    end_assignments,
    follow_grid_change,
)
from people.services.organisations import (
    add_committee_member,
    create_agency,
    create_committee,
    create_department,
    create_department_kind,
    end_committee_member,
    update_agency,
    update_committee,
    update_department,
    update_department_kind,
)
from people.services.personal_data import (
    DataKeyMismatch,
    log_personal_data_access,
    reveal,
    revealers,
)
from people.services.worker_records import issue_equipment, record_training, return_equipment
from people.services.workers import (
    change_worker_kind,
    create_worker,
    exit_worker,
    rehire_worker,
    update_worker,
)

__all__ = [
    "DataKeyMismatch",
    "account_jurisdictions",
    "add_committee_member",
    "assign_worker",
    "change_worker_kind",
    "create_account",
    "create_agency",
    "create_committee",
    "create_department",
    "create_department_kind",
    "create_worker",
    "end_assignment",
    "end_assignments",
    "end_committee_member",
    "exit_worker",
    "follow_grid_change",
    "grant_role",
    "issue_equipment",
    "log_personal_data_access",
    "record_training",
    "rehire_worker",
    "require_account_manager",
    "return_equipment",
    "reveal",
    "revealers",
    "revoke_role",
    "set_account_active",
    "set_password",
    "update_account",
    "update_agency",
    "update_committee",
    "update_department",
    "update_department_kind",
    "update_worker",
]
