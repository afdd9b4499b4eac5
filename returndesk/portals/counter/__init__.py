"""The drop-off counter at /counter/: checking a return code."""
