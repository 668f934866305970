//! The HTTP server: connection and request timeouts, and the drain at shutdown.
mod drain;
mod timeouts;
