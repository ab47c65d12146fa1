"""trilink.secretariat."""
