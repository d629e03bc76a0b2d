"""Reading and writing Open Cobalt's preference files."""
