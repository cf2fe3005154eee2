"""The JSON routes, one module per user group."""
