mod purge;
mod redis_queue;
