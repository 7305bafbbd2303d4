"""ServiceLane's domain: one module per part of the shop's work (see docs/design.md §4)."""
