"""Registration: api."""
