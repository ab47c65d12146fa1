"""trilink.fabric."""
