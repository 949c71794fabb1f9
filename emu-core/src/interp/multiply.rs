//! Exec routines: multiply (not yet implemented).
