//! Checkpoint suite (c2sp.org/tlog-checkpoint via `hcx_protocol::note::Checkpoint`):
//! each case's strict C2SP verdict (`c2sp_strict`) and, where given, the parsed fields.
//!
//! Recognition by content: `cases` whose entries carry `text` and `c2sp_strict`.
//! hcx parses strictly (documented choice), so the upstream-lenient verdicts are not the
//! reference.

use base64::Engine as _;
use hcx_protocol::note::Checkpoint;
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, has_keys, str_field};

/// The checkpoint suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "checkpoint",
        recognise: is_checkpoint_doc,
        run: run_checkpoint_doc,
    }]
}

fn is_checkpoint_doc(doc: &Json) -> bool {
    doc.get("cases")
        .and_then(Json::as_array)
        .is_some_and(|c| !c.is_empty() && c.iter().all(|e| has_keys(e, &["text", "c2sp_strict"])))
}

fn run_checkpoint_doc(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in array_field(doc, "cases").iter().enumerate() {
        let name = format!("#{i} {}", str_field(e, "why_strict").unwrap_or(""));
        let (Some(text), Some(expect)) = (str_field(e, "text"), str_field(e, "c2sp_strict")) else {
            r.fail(&name, "case without text/c2sp_strict");
            continue;
        };
        let parsed = Checkpoint::parse(text);
        let mut ok = parsed.is_ok() == (expect == "ok");
        if let (Ok(c), Some(p)) = (&parsed, e.get("parsed")) {
            ok &= str_field(p, "origin").is_none_or(|o| o == c.origin);
            ok &= p
                .get("size")
                .and_then(Json::as_u64)
                .is_none_or(|s| s == c.size);
            ok &= str_field(p, "root_base64")
                .is_none_or(|b| base64::engine::general_purpose::STANDARD.encode(c.root) == b);
            if let Some(ext) = p.get("extension_lines").and_then(Json::as_array) {
                let want: Vec<&str> = ext.iter().filter_map(Json::as_str).collect();
                ok &= want == c.extensions.iter().map(String::as_str).collect::<Vec<_>>();
            }
            // The body re-serialises byte for byte.
            ok &= c.to_text() == text;
        }
        r.check(&name, ok, format!("got {parsed:?}, expected {expect}"));
    }
}
