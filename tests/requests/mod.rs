pub mod helpers;
mod smoke;
