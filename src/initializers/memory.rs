//! Keeps the allocator from hoarding Argon2's work buffers.
//!
//! Every password hash (Argon2id, m = 19 MiB) allocates one large buffer on a
//! blocking thread. glibc serves the first from `mmap` and then raises its
//! mmap threshold to that size, so later buffers come from the thread's own
//! malloc arena and stay resident after the hash: one 19 MiB buffer per
//! blocking thread that ever hashed (216 MB after eight concurrent logins,
//! docs/performance.md). A fixed threshold of 1 MiB keeps large buffers on
//! `mmap`, which `free` hands straight back to the kernel.

/// Allocations of at least this size are served by `mmap` and returned on free.
pub const MMAP_THRESHOLD_BYTES: i32 = 1024 * 1024;

/// Fixes glibc's mmap threshold (no-op on other C libraries). Idempotent.
/// An operator's own glibc malloc tuning (`MALLOC_MMAP_THRESHOLD_` or
/// `GLIBC_TUNABLES`) wins: then this does nothing.
pub fn return_large_buffers_to_os() {
    let threshold = std::env::var_os("MALLOC_MMAP_THRESHOLD_");
    let tunables = std::env::var("GLIBC_TUNABLES").ok();
    if tuned_by_operator(threshold.is_some(), tunables.as_deref()) {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning parameters; it is safe to
    // call at any time, from any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}

/// Whether the environment already sets glibc's mmap threshold: the
/// `MALLOC_MMAP_THRESHOLD_` variable, or `glibc.malloc.mmap_threshold` in
/// `GLIBC_TUNABLES` (`name=value` pairs separated by `:`).
#[must_use]
pub fn tuned_by_operator(threshold_variable_set: bool, tunables: Option<&str>) -> bool {
    threshold_variable_set
        || tunables.is_some_and(|t| {
            t.split(':')
                .any(|pair| pair.split('=').next() == Some("glibc.malloc.mmap_threshold"))
        })
}
