"""gridgov: smart grid service management for grid-based community governance."""
