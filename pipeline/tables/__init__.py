"""Tables: find them, type their columns, rebuild their rows -> the contract's `tables`."""
