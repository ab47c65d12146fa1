"""trilink.wire."""
