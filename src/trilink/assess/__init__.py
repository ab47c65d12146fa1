"""trilink.assess."""
