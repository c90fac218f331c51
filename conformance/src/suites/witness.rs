//! Witness suite (c2sp.org/tlog-witness `add-checkpoint` via `hcx_protocol::witness`):
//! recorded sessions with exact bodies (run in order against one fresh witness), isolated
//! cases each starting from a given stored checkpoint, abstract `(old, new) -> status`
//! sequences replayed over a synthetic log, and the spec's request-body example.
//!
//! The status compared is `spec_status` (the current spec text) when present, else
//! `status`. 409 bodies are compared exactly; 200 bodies must be cosignature lines that
//! verify under the witness's own key.
//!
//! Recognition by content: an object with `scenarios` (entries with `steps` or `cases`)
//! or a `request_body_example`.

use std::collections::BTreeMap;

use base64::Engine as _;
use hcx_protocol::merkle::{Hash, MemoryTree, consistency_proof, root};
use hcx_protocol::note::{Checkpoint, Cosigner, Note, NoteSigner, VerifierKey, open};
use hcx_protocol::witness::{AddCheckpointRequest, WitnessState, add_checkpoint};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, str_field};

/// The witness suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "witness",
        recognise: is_witness_doc,
        run: run_witness_doc,
    }]
}

/// The fixed clock of the replayed witness.
const NOW: u64 = 1_700_000_000;

fn is_witness_doc(doc: &Json) -> bool {
    doc.get("request_body_example").is_some()
        || doc
            .get("scenarios")
            .and_then(Json::as_array)
            .is_some_and(|s| {
                !s.is_empty()
                    && s.iter()
                        .all(|e| e.get("steps").is_some() || e.get("cases").is_some())
            })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A witness under test: configured log keys per origin, stored state, its cosigner.
struct Witness {
    logs: BTreeMap<String, Vec<VerifierKey>>,
    state: BTreeMap<String, WitnessState>,
    cosigner: Cosigner,
}

/// The observable result of one request.
struct Outcome {
    status: u16,
    body: String,
    /// The request's note text, for checking a 200 body.
    text: Option<String>,
    new_size: Option<u64>,
}

impl Witness {
    fn new(cosigner: Cosigner) -> Self {
        Self {
            logs: BTreeMap::new(),
            state: BTreeMap::new(),
            cosigner,
        }
    }

    /// One request, atomically: look up, run the rules, persist on success.
    fn submit(&mut self, body: &[u8]) -> Outcome {
        let request = match AddCheckpointRequest::parse(body) {
            Ok(r) => r,
            Err(e) => {
                return Outcome {
                    status: 400,
                    body: e.to_string(),
                    text: None,
                    new_size: None,
                };
            }
        };
        let origin = request.origin().to_owned();
        let keys = self.logs.get(&origin).map(Vec::as_slice);
        let stored = self.state.get(&origin).copied();
        let text = Some(request.note.text().to_owned());
        match add_checkpoint(&request, keys, stored, &self.cosigner, NOW) {
            Ok(a) => {
                self.state.insert(origin, a.new_state);
                Outcome {
                    status: 200,
                    body: a.body(),
                    text,
                    new_size: Some(a.new_state.size),
                }
            }
            Err(r) => Outcome {
                status: r.status(),
                body: r.body(),
                text,
                new_size: None,
            },
        }
    }

    /// Checks one step's outcome against its expectations.
    fn check(&self, name: &str, e: &Json, out: &Outcome, r: &mut Report) {
        let want = e
            .get("spec_status")
            .or_else(|| e.get("status"))
            .and_then(Json::as_u64);
        let Some(want) = want else {
            r.fail(name, "step without spec_status/status");
            return;
        };
        if u64::from(out.status) != want {
            r.fail(
                name,
                format!(
                    "status {} ({}), expected {want}",
                    out.status,
                    out.body.trim_end()
                ),
            );
            return;
        }
        if let Some(body) = str_field(e, "response_body")
            && out.body != body
        {
            r.fail(name, format!("body {:?}, expected {body:?}", out.body));
            return;
        }
        if let Some(size) = e.get("state_after").and_then(Json::as_u64)
            && out.new_size != Some(size)
        {
            r.fail(
                name,
                format!("new state {:?}, expected {size}", out.new_size),
            );
            return;
        }
        if out.status == 200 {
            // The body is a cosignature that verifies on the submitted checkpoint.
            let note = format!("{}\n{}", out.text.as_deref().unwrap_or(""), out.body);
            let opened = open(note.as_bytes(), &[self.cosigner.verifier()]);
            if opened.is_err() {
                r.fail(name, format!("200 body does not verify: {opened:?}"));
                return;
            }
        }
        r.pass();
    }
}

fn seed_of(hex_seed: Option<&str>) -> Option<[u8; 32]> {
    hex_seed
        .and_then(|s| hex::decode(s).ok())
        .and_then(|s| s.try_into().ok())
}

fn run_witness_doc(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, sc) in array_field(doc, "scenarios").iter().enumerate() {
        let id = str_field(sc, "id").map_or_else(|| format!("scenario #{i}"), str::to_owned);
        let steps = array_field(sc, "steps");
        if !array_field(sc, "cases").is_empty() {
            run_cases(&id, sc, r);
        } else if steps.iter().all(|s| s.get("body").is_some()) {
            run_session(&id, sc, r);
        } else {
            run_sequence(&id, sc, r);
        }
    }
    if let Some(ex) = doc.get("request_body_example") {
        run_example(ex, r);
    }
}

/// A recorded session: exact bodies against one fresh witness.
fn run_session(id: &str, sc: &Json, r: &mut Report) {
    let log = sc.get("log").unwrap_or(&Json::Null);
    let wit = sc.get("witness").unwrap_or(&Json::Null);
    let (Some(origin), Some(vkey)) = (str_field(log, "origin"), str_field(log, "vkey")) else {
        r.fail(id, "session without log origin/vkey");
        return;
    };
    let Ok(vkey) = VerifierKey::parse(vkey) else {
        r.fail(id, "log vkey does not parse");
        return;
    };
    let (Some(name), Some(seed)) = (
        str_field(wit, "name"),
        seed_of(str_field(wit, "ed25519_seed_hex")),
    ) else {
        r.fail(id, "session without witness name/seed");
        return;
    };
    let Ok(cosigner) = Cosigner::from_seed(name, &seed) else {
        r.fail(id, "witness key does not build");
        return;
    };
    if let Some(want) = str_field(wit, "cosignature_vkey") {
        let got = cosigner.verifier().to_string();
        r.check(
            &format!("{id} witness vkey"),
            got == want,
            format!("got {got}"),
        );
    }
    let mut w = Witness::new(cosigner);
    w.logs.insert(origin.to_owned(), vec![vkey]);
    for (j, step) in array_field(sc, "steps").iter().enumerate() {
        let name = format!("{id} step {j} {}", str_field(step, "why").unwrap_or(""));
        let body = str_field(step, "body").unwrap_or("");
        let out = w.submit(body.as_bytes());
        w.check(&name, step, &out, r);
    }
}

/// Isolated cases, each from a stored checkpoint note.
fn run_cases(id: &str, sc: &Json, r: &mut Report) {
    let log = sc.get("log").unwrap_or(&Json::Null);
    let (Some(origin), Some(vkey)) = (str_field(log, "origin"), str_field(log, "vkey")) else {
        r.fail(id, "cases without log origin/vkey");
        return;
    };
    let Ok(vkey) = VerifierKey::parse(vkey) else {
        r.fail(id, "log vkey does not parse");
        return;
    };
    // The witness key: a published test key's seed, used as a cosignature/v1 key.
    let cosigner_seed = str_field(sc, "witness_skey_type1")
        .and_then(|s| NoteSigner::parse_private_key(s).ok())
        .map(|s| (s.name().to_owned(), *s.seed()))
        .unwrap_or_else(|| ("witness".to_owned(), [0x77; 32]));
    for (j, case) in array_field(sc, "cases").iter().enumerate() {
        let name = format!("{id} case {j} {}", str_field(case, "desc").unwrap_or(""));
        let Ok(cosigner) = Cosigner::from_seed(&cosigner_seed.0, &cosigner_seed.1) else {
            r.fail(&name, "witness key does not build");
            continue;
        };
        let mut w = Witness::new(cosigner);
        w.logs.insert(origin.to_owned(), vec![vkey.clone()]);
        let stored = str_field(case, "state").map(|s| {
            Note::parse(s.as_bytes())
                .ok()
                .and_then(|n| Checkpoint::parse(n.text()).ok())
        });
        match stored {
            Some(Some(cp)) => {
                w.state.insert(
                    cp.origin.clone(),
                    WitnessState {
                        size: cp.size,
                        root: cp.root,
                    },
                );
            }
            Some(None) => {
                r.fail(&name, "stored state is not a checkpoint note");
                continue;
            }
            None => {}
        }
        let (Some(old), Some(new)) = (
            case.get("old").and_then(Json::as_u64),
            str_field(case, "new"),
        ) else {
            r.fail(&name, "case without old/new");
            continue;
        };
        let proof: Option<Vec<Vec<u8>>> = array_field(case, "proof")
            .iter()
            .map(|h| h.as_str().and_then(|h| hex::decode(h).ok()))
            .collect();
        let Some(proof) = proof else {
            r.fail(&name, "proof is not hex");
            continue;
        };
        let mut body = format!("old {old}\n");
        for h in &proof {
            body.push_str(&b64(h));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(new);
        let out = w.submit(body.as_bytes());
        w.check(&name, case, &out, r);
    }
}

/// An abstract `(old, new) -> status` sequence replayed over a synthetic log.
fn run_sequence(id: &str, sc: &Json, r: &mut Report) {
    const ORIGIN: &str = "hcx.example/log/conformance";
    let steps = array_field(sc, "steps");
    let max = steps
        .iter()
        .filter_map(|s| s.get("new").and_then(Json::as_u64))
        .max()
        .unwrap_or(0);
    let mut tree = MemoryTree::new();
    for i in 0..max {
        tree.push_leaf(format!("leaf {i}").as_bytes());
    }
    let (Ok(log), Ok(cosigner)) = (
        NoteSigner::from_seed(ORIGIN, &[0x42; 32]),
        Cosigner::from_seed("witness.hcx.example", &[0x43; 32]),
    ) else {
        r.fail(id, "synthetic keys do not build");
        return;
    };
    let mut w = Witness::new(cosigner);
    w.logs.insert(ORIGIN.to_owned(), vec![log.verifier()]);
    for (j, step) in steps.iter().enumerate() {
        let name = format!("{id} step {j}");
        let (Some(old), Some(new)) = (
            step.get("old").and_then(Json::as_u64),
            step.get("new").and_then(Json::as_u64),
        ) else {
            r.fail(&name, "step without old/new");
            continue;
        };
        let built = (|| {
            let cp = Checkpoint::new(ORIGIN, new, root(&tree, new).ok()?).ok()?;
            let mut note = Note::new(&cp.to_text()).ok()?;
            note.sign(&log).ok()?;
            let proof: Vec<Hash> = if old == 0 || old >= new {
                Vec::new()
            } else {
                consistency_proof(&tree, old, new).ok()?
            };
            let mut body = format!("old {old}\n");
            for h in &proof {
                body.push_str(&b64(h));
                body.push('\n');
            }
            body.push('\n');
            body.push_str(&note.to_string());
            Some(body)
        })();
        let Some(body) = built else {
            r.fail(&name, "could not build the request");
            continue;
        };
        let out = w.submit(body.as_bytes());
        w.check(&name, step, &out, r);
    }
}

/// The spec's request-body example: parse only.
fn run_example(ex: &Json, r: &mut Report) {
    let name = "request_body_example";
    let Some(text) = str_field(ex, "text") else {
        r.fail(name, "example without text");
        return;
    };
    let parsed = AddCheckpointRequest::parse(text.as_bytes());
    let Ok(req) = parsed else {
        r.fail(name, format!("does not parse: {parsed:?}"));
        return;
    };
    let p = ex.get("parsed").unwrap_or(&Json::Null);
    let u = |k: &str| p.get(k).and_then(Json::as_u64);
    let ok = u("old").is_none_or(|v| v == req.old_size)
        && u("proof_lines").is_none_or(|v| v == req.proof.len() as u64)
        && str_field(p, "origin").is_none_or(|v| v == req.origin())
        && u("size").is_none_or(|v| v == req.checkpoint.size)
        && u("signature_lines").is_none_or(|v| v == req.note.signatures().len() as u64);
    r.check(name, ok, format!("parsed {req:?}"));
}
