"""The demo organisation: `flask seed-demo` loads it through the ordinary services."""
