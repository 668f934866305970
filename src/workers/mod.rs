//! Background workers.
