//! The service's emails. Each mailer renders its templates with [`render`],
//! which escapes every value in the HTML part: Loco names that part `html.t`,
//! and Tera escapes only templates named `.html`, `.htm` or `.xml` by default,
//! so through Loco's own renderer a name such as
//! `<a href="…">Confirm your account</a>` would arrive as a live link from the
//! service's sender. Subject and text parts are plain text and stay as typed.
pub mod auth;
pub mod notifications;

use loco_rs::{mailer::Email, prelude::*};
use tera::{Context, Tera};

const SUBJECT: &str = "subject.t";
const TEXT: &str = "text.t";
const HTML: &str = "html.t";

/// The email to `to` from the templates of `dir` (`subject.t`, `text.t`,
/// `html.t`) with `locals`; values in `html.t` are HTML-escaped.
///
/// # Errors
/// When a template is missing, does not parse or does not render.
pub fn render(dir: &Dir<'_>, to: &str, from: String, locals: &serde_json::Value) -> Result<Email> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![HTML]);
    for name in [SUBJECT, TEXT, HTML] {
        let file = dir
            .get_file(name)
            .ok_or_else(|| Error::Message(format!("mail template {name} is missing")))?;
        let source = String::from_utf8_lossy(file.contents());
        tera.add_raw_template(name, &source)
            .map_err(|e| Error::Message(format!("mail template {name}: {e}")))?;
    }
    let context =
        Context::from_serialize(locals).map_err(|e| Error::Message(format!("mail locals: {e}")))?;
    let part = |name: &str| {
        tera.render(name, &context)
            .map_err(|e| Error::Message(format!("mail template {name}: {e}")))
    };
    Ok(Email {
        from: Some(from),
        to: to.to_string(),
        reply_to: None,
        subject: part(SUBJECT)?,
        text: part(TEXT)?,
        html: part(HTML)?,
        bcc: None,
        cc: None,
        headers: None,
    })
}
