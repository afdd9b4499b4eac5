"""The seller portal at /seller/: the queue and a return's page for managers and warehouse staff."""
