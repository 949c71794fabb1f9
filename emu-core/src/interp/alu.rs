//! Exec routines: alu (not yet implemented).
