//! The common-password list a new password is checked against (OWASP ASVS
//! 5.0 §6.2): `assets/common-passwords.txt`, the 19,640 passwords Django
//! ships (`django/contrib/auth/common-passwords.txt.gz`, BSD-3-Clause),
//! compiled by Royce Williams from public breach corpora; all lower case, one
//! per line. `docs/security.md` names the source and the licence.
use std::{collections::HashSet, sync::LazyLock};

static LIST: &str = include_str!("../../assets/common-passwords.txt");

/// The list as a set, built on first use (~20,000 borrowed slices).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// Whether `password`, ignoring letter case, is on the list.
#[must_use]
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

/// Entries on the list.
#[must_use]
pub fn len() -> usize {
    COMMON.len()
}
