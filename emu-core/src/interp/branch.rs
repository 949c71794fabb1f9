//! Exec routines: branch (not yet implemented).
