mod auth;
mod prepare_data;
