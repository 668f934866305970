mod account;
mod body;
mod cursor;
mod errors;
mod etag;
mod listing;
mod request_span;
mod task;
