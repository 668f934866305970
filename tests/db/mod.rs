//! The engine room (src/db/): the SQLite pool, group commit, direct reads,
//! the write turn.
mod direct;
mod direct_tasks;
mod group_commit;
mod pool;
mod transactions;
mod write_turn;
