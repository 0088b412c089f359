"""crustcore_net: see the package README; filled by its own issues."""
