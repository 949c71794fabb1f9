//! Exec routines: block (not yet implemented).
