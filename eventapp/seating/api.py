"""allocateTables and the seating API."""
