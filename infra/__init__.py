"""ServiceLane's cloud stack: templates merged into `chalice package` output, packaging and deploy."""
