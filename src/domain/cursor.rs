//! Opaque, tamper-evident keyset cursors.
//!
//! A cursor is `base64url(payload ‖ tag)`: the payload is JSON naming the
//! query it belongs to (`scope`: sort and filters) and the sort key of the
//! last row served; the tag is HMAC-SHA256 under the server's JWT secret
//! (truncated to 128 bits). Anything edited, truncated or made for another
//! query is refused instead of being misread.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const TAG_LEN: usize = 16;
const DOMAIN: &[u8] = b"taskforge-cursor-v1";

/// The position after the last row of a page, for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// What the cursor was made for: sort spec and filters, canonicalised.
    pub scope: String,
    /// The sort key of the last row served, ending with its id.
    pub key: Vec<Value>,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(DOMAIN);
    mac
}

impl Cursor {
    /// The opaque text handed to the client.
    #[must_use]
    pub fn encode(&self, secret: &[u8]) -> String {
        let payload = serde_json::to_vec(&(&self.scope, &self.key)).unwrap_or_default();
        let mut m = mac(secret);
        m.update(&payload);
        let tag = m.finalize().into_bytes();
        let mut raw = payload;
        raw.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Reads a cursor back; `None` when it is not one this server made for
    /// `scope` with `secret`.
    #[must_use]
    pub fn decode(text: &str, scope: &str, secret: &[u8]) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()?;
        if raw.len() <= TAG_LEN {
            return None;
        }
        let (payload, tag) = raw.split_at(raw.len() - TAG_LEN);
        let mut m = mac(secret);
        m.update(payload);
        m.verify_truncated_left(tag).ok()?;
        let (found_scope, key): (String, Vec<Value>) = serde_json::from_slice(payload).ok()?;
        (found_scope == scope).then_some(Self {
            scope: found_scope,
            key,
        })
    }
}
