//! Entity tags (RFC 9110 §8.8.3) and the `If-Match` / `If-None-Match` lists
//! they are compared with (§13.1.1, §13.1.2).
//!
//! A resource's ETag is its version as a strong entity tag (`"3"`); every
//! write bumps the version, so the tag changes exactly when the resource does.

/// The ETag of a resource at `version`.
#[must_use]
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The value of one precondition header: `*`, or a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagList {
    Any,
    Tags(Vec<String>),
}

impl TagList {
    /// The list the header lines `values` carry together (a header may be
    /// sent on several lines, RFC 9110 §5.3); `None` when there are none.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut seen = false;
        let mut tags = Vec::new();
        for value in values {
            seen = true;
            tags.extend(
                value
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
            );
        }
        if !seen {
            None
        } else if tags.iter().any(|t| t == "*") {
            Some(Self::Any)
        } else {
            Some(Self::Tags(tags))
        }
    }

    /// Strong comparison (for `If-Match`): weak tags never match.
    #[must_use]
    pub fn matches_strong(&self, version: i32) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| *t == etag(version)),
        }
    }

    /// Weak comparison (for `If-None-Match`): `W/"3"` matches `"3"`.
    #[must_use]
    pub fn matches_weak(&self, version: i32) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags
                .iter()
                .any(|t| t.strip_prefix("W/").unwrap_or(t) == etag(version)),
        }
    }
}
