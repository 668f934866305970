mod drain;
mod purge;
mod redis_queue;
