"""The buyer portal at /buyer/."""
