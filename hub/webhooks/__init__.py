"""Outgoing webhooks: endpoints editors register, signed deliveries, retries, pausing, replay."""
