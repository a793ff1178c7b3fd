"""The registry's models (R11.1, R22.1): addresses and houses, households, residents and their
tags, organisations, places and things. Every model declares its ``scope_rule``: registry
records lie in a village and a grid (``registry.models.common.Located``); tags add the
visibility table of ``registry.visibility``."""

from registry.models.addresses import (
    HOUSE_LEVELS,
    LEVEL_DEPTH,
    AddressLevel,
    House,
    HouseUse,
    RentalStatus,
    StandardAddress,
)
from registry.models.entities import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Place,
    PlaceKind,
    RiskLevel,
    Thing,
    ThingKind,
    ThingState,
)
from registry.models.imports import IMPORTERS, ImportKind, ImportStatus, RegistryImport
from registry.models.proposals import (
    PROPOSAL_ROLES,
    REVIEWER_ROLES,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from registry.models.residents import (
    CareLevel,
    Gender,
    Household,
    HouseRelation,
    Relation,
    ResidenceSpell,
    Resident,
    ResidentKind,
    ResidentStatus,
    SpecialGroupTag,
)

__all__ = [
    "HOUSE_LEVELS",
    "IMPORTERS",
    "LEVEL_DEPTH",
    "PROPOSAL_ROLES",
    "REVIEWER_ROLES",
    "AddressLevel",
    "CareLevel",
    "Gender",
    "House",
    "HouseRelation",
    "HouseUse",
    "Household",
    "ImportKind",
    "ImportStatus",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Place",
    "PlaceKind",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "RegistryImport",
    "Relation",
    "RentalStatus",
    "ResidenceSpell",
    "Resident",
    "ResidentKind",
    "ResidentStatus",
    "RiskLevel",
    "SpecialGroupTag",
    "StandardAddress",
    "Thing",
    "ThingKind",
    "ThingState",
]
