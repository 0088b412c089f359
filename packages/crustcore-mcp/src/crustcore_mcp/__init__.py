"""crustcore_mcp: see the package README; filled by its own issues."""
