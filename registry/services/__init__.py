"""The registry's state changes (R11.1, R22.1), one module per concern; each change runs in a
transaction with its audit record, personal numbers only ever masked in the trail.

- :mod:`~registry.services.addresses`: standard addresses and houses;
- :mod:`~registry.services.residents`: households, residents, moving in and out, death;
- :mod:`~registry.services.tags`: special-group tags and the visit hook (``record_visit``);
- :mod:`~registry.services.duplicates`: finding and merging duplicate residents;
- :mod:`~registry.services.entities`: organisations, places and things;
- :mod:`~registry.services.proposals`: grid workers' proposals from the phone, confirmed by
  the township agency or by the rule table (``registry.proposal_rules``).
"""

from registry.services.addresses import create_address, create_house, retire_address, update_house
from registry.services.duplicates import duplicate_groups, find_duplicates, merge_residents
from registry.services.entities import (
    create_organisation,
    create_place,
    create_thing,
    update_organisation,
    update_place,
    update_thing,
)
from registry.services.residents import (
    create_household,
    move_in,
    move_out,
    record_death,
    register_resident,
    update_resident,
)
from registry.services.tags import end_tag, record_visit, tag_resident

__all__ = [
    "create_address",
    "create_house",
    "create_household",
    "create_organisation",
    "create_place",
    "create_thing",
    "duplicate_groups",
    "end_tag",
    "find_duplicates",
    "merge_residents",
    "move_in",
    "move_out",
    "record_death",
    "record_visit",
    "register_resident",
    "retire_address",
    "tag_resident",
    "update_house",
    "update_organisation",
    "update_place",
    "update_resident",
    "update_thing",
]
