"""ServiceLane's domain: one module per part of the shop's work (see DESIGN.md §3)."""
