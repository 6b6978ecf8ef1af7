"""The REST API for integrations: API keys, scopes, and the resources under /api/v1/."""
