use loco_rs::cli;
use migration::Migrator;
use taskforge::{app::App, initializers::memory};

/// mimalloc instead of glibc's malloc for Rust's allocations, with the
/// settings of `initializers::memory::tune_mimalloc`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> loco_rs::Result<()> {
    // Before the runtime's threads allocate anything.
    memory::tune_mimalloc();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli::main::<App, Migrator>())
}
