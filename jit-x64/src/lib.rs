//! stratus-jit-x64: the x86-64 back-end of the baseline compiler.
//!
//! [`signals`] owns the process's SIGSEGV and SIGBUS handlers: a fault at a compiled
//! memory access that hit the guard region of a linear memory continues at the landing
//! its code region names (a stub that leaves for the driver with the out-of-bounds trap),
//! and every other fault goes to the handler that was there before, so it crashes as it
//! always did.

pub mod signals;
