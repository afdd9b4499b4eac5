"""The customer-service console at /agent/."""
