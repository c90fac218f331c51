//! The base45 suite (RFC 9285 examples and derived strict-decoding cases), run through
//! `hcx_protocol::base45`. A file is recognised by its `alphabet`, `encode` and `decode`
//! members.

use hcx_protocol::base45;
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, case_name, hex_field, str_field};

/// The base45 suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "base45",
        recognise,
        run,
    }]
}

fn recognise(doc: &Json) -> bool {
    doc.get("alphabet").is_some_and(Json::is_string)
        && doc.get("encode").is_some_and(Json::is_array)
        && doc.get("decode").is_some_and(Json::is_array)
}

fn run(doc: &Json, _: &FileCtx, r: &mut Report) {
    // The alphabet the file states must be the one the decoder accepts, character by
    // character, and nothing else in printable ASCII.
    if let Some(alphabet) = str_field(doc, "alphabet") {
        let mismatched: Vec<char> = (0x20u8..0x7f)
            .map(char::from)
            .filter(|c| {
                let pair = format!("{c}0");
                base45::decode(&pair).is_ok() != alphabet.contains(*c)
            })
            .collect();
        r.check(
            "alphabet",
            mismatched.is_empty(),
            format!("disagrees on {mismatched:?}"),
        );
    }
    for (i, e) in array_field(doc, "encode").iter().enumerate() {
        let name = format!("encode {}", case_name(e, i));
        let (Some(input), Some(want)) = (hex_field(e, "input_hex"), str_field(e, "encoded")) else {
            r.fail(&name, "case without input_hex or encoded");
            continue;
        };
        let got = base45::encode(&input);
        r.check(
            &name,
            got == want,
            format!("encoded {got:?}, want {want:?}"),
        );
        let back = base45::decode(want);
        r.check(
            &format!("{name} (round trip)"),
            back.as_deref() == Ok(&input[..]),
            format!("{back:?}"),
        );
    }
    for (i, e) in array_field(doc, "decode").iter().enumerate() {
        let name = format!("decode {}", case_name(e, i));
        let (Some(text), Some(expect)) = (str_field(e, "encoded"), str_field(e, "expect")) else {
            r.fail(&name, "case without encoded or expect");
            continue;
        };
        let got = base45::decode(text);
        match expect {
            "valid" => {
                let want = hex_field(e, "output_hex");
                let ok = matches!((&got, &want), (Ok(g), Some(w)) if g == w);
                r.check(&name, ok, format!("got {got:?}, want {want:?}"));
            }
            "invalid" => r.check(&name, got.is_err(), format!("accepted as {got:?}")),
            other => r.fail(&name, format!("unknown expect {other:?}")),
        }
    }
}
