"""Arguments several regions commands share."""

from gridgov.commands import argument

REPAIR = argument(
    "--repair",
    action="store_true",
    help="make invalid geometries valid (keep polygonal parts) and report the change",
)
