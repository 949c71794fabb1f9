//! Exec routines: media (not yet implemented).
