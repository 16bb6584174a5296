"""Delivery channels of a run's answer (webhook, email, Slack); the interface is contract.py."""
