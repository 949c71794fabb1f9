//! Exec routines: loadstore (not yet implemented).
