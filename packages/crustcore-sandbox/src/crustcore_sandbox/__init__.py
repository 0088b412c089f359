"""crustcore_sandbox: see the package README; filled by its own issues."""
