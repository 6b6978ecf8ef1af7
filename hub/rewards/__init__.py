"""The advocate programme: an append-only points ledger, rules editors tune, tiers and badges."""
