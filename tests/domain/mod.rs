mod account;
mod body;
mod cursor;
mod errors;
mod listing;
mod task;
