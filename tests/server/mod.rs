//! The HTTP server: connection and request timeouts.
mod timeouts;
