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

/// mimalloc's option numbers (`mi_option_t` of the bundled mimalloc 3.x,
/// whose Rust bindings do not name these).
mod mi_option {
    pub const ARENA_EAGER_COMMIT: i32 = 4;
    pub const ALLOW_THP: i32 = 43;
    pub const ARENA_MAX_OBJECT_SIZE: i32 = 45;
}

/// The settings of mimalloc, the server binary's allocator, that keep its
/// memory near what glibc's held (docs/performance.md, change 23):
///
/// - no transparent huge pages for the process: with them mimalloc's arenas
///   grow RSS by 2 MiB at a time (42 → 51–56 MB under the benchmark's
///   workloads). mimalloc reads its own `allow_thp` option when the process
///   loads, before `main`, so the process's switch is used
///   (`PR_SET_THP_DISABLE`, which is what mimalloc does with that option).
///   mimalloc is also built without its `MADV_HUGEPAGE` advice (feature
///   `no_thp`): the arena it maps before `main` would otherwise get two huge
///   pages for the few allocations made before `main` (4 MB resident for
///   the life of the process, where the kernel's THP mode is `madvise`);
/// - objects over 1 MiB straight from the OS and back to it when freed: an
///   Argon2 buffer (19 MiB per password hash) would otherwise stay in an
///   arena until purged, a second later (107 MB in the login storm instead
///   of 61), the reason glibc's mmap threshold is fixed above;
/// - arenas committed as they are used, not whole when reserved: mimalloc
///   then gives purged memory back by decommitting it rather than resetting
///   it, and it leaves the process's RSS at once.
///
/// An operator's `MIMALLOC_ALLOW_THP`, `MIMALLOC_ARENA_MAX_OBJECT_SIZE` (in
/// KiB) or `MIMALLOC_ARENA_EAGER_COMMIT` wins: then that setting is left
/// alone. Called first thing in `main`, before the runtime starts.
pub fn tune_mimalloc() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_THP_DISABLE takes one integer flag and changes only
        // how the kernel backs this process's future memory.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
        // SAFETY: setting an option has no preconditions.
        unsafe { libmimalloc_sys::mi_option_set(mi_option::ALLOW_THP, 0) };
    }
    if std::env::var_os("MIMALLOC_ARENA_MAX_OBJECT_SIZE").is_none() {
        let kib = libc::c_long::from(MMAP_THRESHOLD_BYTES / 1024);
        // SAFETY: as above; a size in KiB, as mimalloc documents it.
        unsafe { libmimalloc_sys::mi_option_set(mi_option::ARENA_MAX_OBJECT_SIZE, kib) };
    }
    if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
        // SAFETY: as above.
        unsafe { libmimalloc_sys::mi_option_set(mi_option::ARENA_EAGER_COMMIT, 0) };
    }
}

/// Whether transparent huge pages are off for this process (for tests).
#[must_use]
pub fn huge_pages_disabled() -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_GET_THP_DISABLE takes no arguments and reads a flag.
    return unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) } == 1;
    #[cfg(not(target_os = "linux"))]
    false
}

/// mimalloc's current value of `option` (for tests and checks).
#[must_use]
pub fn mimalloc_option(option: MimallocOption) -> i64 {
    let option = match option {
        MimallocOption::AllowThp => mi_option::ALLOW_THP,
        MimallocOption::ArenaMaxObjectKib => mi_option::ARENA_MAX_OBJECT_SIZE,
        MimallocOption::ArenaEagerCommit => mi_option::ARENA_EAGER_COMMIT,
    };
    // SAFETY: reading an option has no preconditions.
    let value = unsafe { libmimalloc_sys::mi_option_get(option) };
    // A `c_long`: the same type as i64 here, 32 bits on some targets.
    #[allow(clippy::useless_conversion)]
    i64::from(value)
}

/// The options [`tune_mimalloc`] sets.
#[derive(Debug, Clone, Copy)]
pub enum MimallocOption {
    AllowThp,
    ArenaMaxObjectKib,
    ArenaEagerCommit,
}
