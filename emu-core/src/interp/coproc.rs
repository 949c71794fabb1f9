//! Exec routines: coproc (not yet implemented).
