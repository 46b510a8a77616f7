"""Webhooks: what Sendcloud and 17TRACK push about parcels (signed over the raw body, acknowledged fast,
each delivery applied once), and the one thing we ask 17TRACK from the API (its quota)."""
