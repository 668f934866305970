//! Operator tasks (`cargo loco task <name>`).
