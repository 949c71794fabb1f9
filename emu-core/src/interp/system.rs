//! Exec routines: system (not yet implemented).
