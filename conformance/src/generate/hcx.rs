//! The cases of every hcx vector file, and the check of each expected outcome against
//! `hcx-protocol` while generating.

use anyhow::{Context as _, bail, ensure};
use hcx_protocol::cbor::{Limits, Mode, Value};
use hcx_protocol::cose;
use hcx_protocol::identity::Region;
use hcx_protocol::qr;
use hcx_protocol::sign::{PublicKey, Signer};
use hcx_protocol::verify::{ResultCode, TrustStore, TrustedKey, verify_qr_text};
use hcx_protocol::wire::registry::{
    decode_reencode, error_code, open_error_code, open_reencode, verify_signed,
};
use hcx_protocol::wire::*;
use serde_json::{Value as Json, json};

use super::keys::{DetEs256, ed25519, kid};
use super::samples::{self, seed};
use super::{NOW, annotate};

/// The format marker every file carries.
pub(crate) const FORMAT: u64 = 1;

struct FileBuilder {
    name: &'static str,
    tag: u64,
    max: usize,
    cases: Vec<Json>,
}

impl FileBuilder {
    fn new<T: WireMessage>() -> Self {
        Self {
            name: T::NAME,
            tag: T::TYPE_TAG,
            max: T::MAX_BYTES,
            cases: Vec::new(),
        }
    }

    /// A `cbor` case: `hex` (then `append_zeros` zero bytes) decoded strictly as the
    /// file's type; `accept` also requires the re-encoding to equal the input.
    fn cbor(&mut self, name: &str, bytes: &[u8], zeros: usize, expect: &str) -> anyhow::Result<()> {
        let mut input = bytes.to_vec();
        input.resize(bytes.len() + zeros, 0);
        let got = match decode_reencode(self.name, &input).context("registered type")? {
            Ok(re) if re == input => "accept".to_owned(),
            Ok(_) => "reencode_differs".to_owned(),
            Err(e) => error_code(&e).to_owned(),
        };
        ensure!(
            got == expect,
            "{} / {name}: expected {expect}, hcx-protocol says {got}",
            self.name
        );
        let mut case =
            json!({"name": name, "form": "cbor", "hex": hex::encode(bytes), "expect": expect});
        if zeros > 0 {
            case["append_zeros"] = json!(zeros);
        }
        self.cases.push(case);
        Ok(())
    }

    /// A `cose` case: an hcx COSE_Sign1 carrying the file's type, opened with `keys`.
    fn cose(
        &mut self,
        name: &str,
        cose_bytes: &[u8],
        keys: &[(&dyn Signer, KeyId)],
        expect: &str,
    ) -> anyhow::Result<()> {
        let lookup = |k: &KeyId| {
            keys.iter()
                .find(|(_, id)| id == k)
                .map(|(s, _)| s.public_key())
        };
        let got = match open_reencode(self.name, cose_bytes, &lookup).context("registered type")? {
            Ok(_) => "accept".to_owned(),
            Err(e) => open_error_code(&e).to_owned(),
        };
        ensure!(
            got == expect,
            "{} / {name}: expected {expect}, hcx-protocol says {got}",
            self.name
        );
        let parsed = cose::Sign1::parse(cose_bytes, cose::Profile::Hcx).ok();
        self.cases.push(json!({
            "name": name,
            "form": "cose",
            "hex": hex::encode(cose_bytes),
            "external_aad_hex": hex::encode(cose_aad(self.tag)),
            "payload_hex": parsed.as_ref().map(|p| hex::encode(p.payload())),
            "to_be_signed_hex": parsed.as_ref().map(|p| hex::encode(p.to_be_signed(&cose_aad(self.tag)))),
            "keys": keys_json(keys),
            "expect": expect,
        }));
        Ok(())
    }

    /// A `signed` case: a detached-signed `Signed<B>` verified with `key`.
    fn signed(
        &mut self,
        name: &str,
        bytes: &[u8],
        key: &PublicKey,
        expect: &str,
    ) -> anyhow::Result<()> {
        let got = match verify_signed(self.name, bytes, key).context("signed type")? {
            Ok(_) => "accept",
            Err(code) => code,
        };
        ensure!(
            got == expect,
            "{} / {name}: expected {expect}, hcx-protocol says {got}",
            self.name
        );
        self.cases.push(json!({
            "name": name,
            "form": "signed",
            "hex": hex::encode(bytes),
            "alg": key.alg().cose_id(),
            "public_key_hex": hex::encode(key.as_bytes()),
            "expect": expect,
        }));
        Ok(())
    }

    fn finish(self, description: &str, example: &[u8]) -> (String, Json) {
        let doc = json!({
            "hcx_vectors": FORMAT,
            "type": self.name,
            "type_tag": self.tag,
            "max_bytes": self.max,
            "description": description,
            "now": NOW,
            "generator": "hcx-conformance generate-hcx-vectors (conformance/src/generate)",
            "example_annotated": annotate(example),
            "cases": self.cases,
        });
        (format!("{}.json", self.name), doc)
    }
}

fn keys_json(keys: &[(&dyn Signer, KeyId)]) -> Json {
    Json::Array(
        keys.iter()
            .map(|(s, k)| {
                json!({
                    "kid_hex": hex::encode(k.as_bytes()),
                    "alg": s.alg().cose_id(),
                    "public_key_hex": hex::encode(s.public_key().as_bytes()),
                })
            })
            .collect(),
    )
}

// ---- generic mutations --------------------------------------------------------------

fn value_of(bytes: &[u8]) -> anyhow::Result<Value> {
    Ok(Value::decode(
        bytes,
        Mode::Strict,
        Limits::message(64 << 20),
    )?)
}

/// Encodes `v` canonically except that head number `target` (counting heads of major
/// types 0–6 in encoding order) is written one size wider than needed.
fn encode_widened(v: &Value, target: usize, counter: &mut usize, out: &mut Vec<u8>) {
    let mut head = |major: u8, arg: u64, out: &mut Vec<u8>| {
        let widen = *counter == target;
        *counter += 1;
        let m = major << 5;
        let width = match arg {
            0..=23 => 0,
            24..=0xff => 1,
            0x100..=0xffff => 2,
            0x1_0000..=0xffff_ffff => 4,
            _ => 8,
        };
        let width = if widen {
            [1, 2, 4, 8, 8][[0, 1, 2, 4, 8]
                .iter()
                .position(|w| *w == width)
                .unwrap_or(4)]
        } else {
            width
        };
        match width {
            0 => out.push(m | arg as u8),
            1 => out.extend([m | 24, arg as u8]),
            2 => {
                out.push(m | 25);
                out.extend((arg as u16).to_be_bytes());
            }
            4 => {
                out.push(m | 26);
                out.extend((arg as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(arg.to_be_bytes());
            }
        }
    };
    match v {
        Value::Unsigned(n) => head(0, *n, out),
        Value::Negative(n) => head(1, *n, out),
        Value::Bytes(b) => {
            head(2, b.len() as u64, out);
            out.extend(b);
        }
        Value::Text(t) => {
            head(3, t.len() as u64, out);
            out.extend(t.as_bytes());
        }
        Value::Array(items) => {
            head(4, items.len() as u64, out);
            for i in items {
                encode_widened(i, target, counter, out);
            }
        }
        Value::Map(entries) => {
            head(5, entries.len() as u64, out);
            for (k, x) in entries {
                encode_widened(k, target, counter, out);
                encode_widened(x, target, counter, out);
            }
        }
        Value::Tag(t, inner) => {
            head(6, *t, out);
            encode_widened(inner, target, counter, out);
        }
        other => out.extend(other.to_canonical()),
    }
}

/// Depth of every counted head, in encoding order.
fn head_depths(v: &Value, depth: usize, out: &mut Vec<usize>) {
    match v {
        Value::Unsigned(_) | Value::Negative(_) | Value::Bytes(_) | Value::Text(_) => {
            out.push(depth)
        }
        Value::Array(items) => {
            out.push(depth);
            for i in items {
                head_depths(i, depth + 1, out);
            }
        }
        Value::Map(entries) => {
            out.push(depth);
            for (k, x) in entries {
                head_depths(k, depth + 1, out);
                head_depths(x, depth + 1, out);
            }
        }
        Value::Tag(_, inner) => {
            out.push(depth);
            head_depths(inner, depth + 1, out);
        }
        _ => {}
    }
}

/// `bytes` with its deepest (last, at the greatest depth) head written non-shortest.
fn deep_non_canonical(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let v = value_of(bytes)?;
    let mut depths = Vec::new();
    head_depths(&v, 0, &mut depths);
    let max = depths.iter().copied().max().unwrap_or(0);
    let target = depths.iter().rposition(|d| *d == max).unwrap_or(0);
    let mut out = Vec::new();
    encode_widened(&v, target, &mut 0, &mut out);
    Ok(out)
}

fn map_entries(bytes: &[u8]) -> anyhow::Result<Vec<(Value, Value)>> {
    match value_of(bytes)? {
        Value::Map(e) => Ok(e),
        _ => bail!("not a map"),
    }
}

/// The generic invalid cases every map-shaped message type gets.
fn generic_cases(f: &mut FileBuilder, valid: &[u8]) -> anyhow::Result<()> {
    let n = valid.first().copied().context("empty")?;
    ensure!(
        (0xa1..=0xb7).contains(&n),
        "{}: top level is not a small map",
        f.name
    );
    let entries = n & 0x1f;

    let mut wide_head = vec![0xb8, entries];
    wide_head.extend(valid.get(1..).unwrap_or_default());
    f.cbor(
        "non-canonical map length (0xb8 form)",
        &wide_head,
        0,
        "non_canonical",
    )?;

    f.cbor(
        "non-canonical head at the deepest level",
        &deep_non_canonical(valid)?,
        0,
        "non_canonical",
    )?;

    let mut unknown = valid.to_vec();
    if let Some(b) = unknown.first_mut() {
        *b += 1;
    }
    unknown.extend([0x18, 0x1f, 0x00]);
    f.cbor("unknown key 31", &unknown, 0, "unknown_key")?;

    let mut es = map_entries(valid)?;
    es.remove(0);
    f.cbor(
        "required key 1 missing",
        &Value::Map(es).to_canonical(),
        0,
        "missing_key",
    )?;

    let mut es = map_entries(valid)?;
    if let Some(e) = es.first_mut() {
        e.1 = Value::Bool(true);
    }
    f.cbor(
        "key 1 holds a boolean",
        &Value::Map(es).to_canonical(),
        0,
        "wrong_type",
    )?;

    let mut es = map_entries(valid)?;
    if es.len() >= 2 {
        es.swap(0, 1);
        let mut enc = hcx_protocol::cbor::Encoder::new();
        enc.map(es.len());
        for (k, v) in &es {
            k.encode(&mut enc);
            v.encode(&mut enc);
        }
        f.cbor(
            "first two keys out of order",
            &enc.into_bytes(),
            0,
            "unsorted_keys",
        )?;
    }

    f.cbor(
        "truncated by one byte",
        valid.get(..valid.len() - 1).unwrap_or_default(),
        0,
        "truncated",
    )?;
    let mut trailing = valid.to_vec();
    trailing.push(0x00);
    f.cbor("one trailing byte", &trailing, 0, "trailing_bytes")?;
    let zeros = (f.max + 1).saturating_sub(valid.len());
    f.cbor(
        "padded one byte past the size limit",
        valid,
        zeros,
        "too_large",
    )?;
    Ok(())
}

fn message_file<T: WireMessage>(
    sample: &T,
    description: &str,
    extra: impl FnOnce(&mut FileBuilder) -> anyhow::Result<()>,
) -> anyhow::Result<(String, Json)> {
    let mut f = FileBuilder::new::<T>();
    let bytes = sample.to_bytes();
    f.cbor("valid sample", &bytes, 0, "accept")?;
    generic_cases(&mut f, &bytes)?;
    extra(&mut f)?;
    Ok(f.finish(description, &bytes))
}

/// The COSE cases of a region-signed type: valid, flipped signature, another type's
/// signature, unknown kid and a signed non-canonical payload.
fn cose_cases<T: WireMessage>(
    f: &mut FileBuilder,
    sample: &T,
    signer_seed: u8,
) -> anyhow::Result<()> {
    let signer = ed25519(signer_seed);
    let k = kid(&signer);
    let keys: [(&dyn Signer, KeyId); 1] = [(&signer, k.clone())];
    let good = sign_cose(sample, &signer, &k)?;
    f.cose("signed, Ed25519", &good, &keys, "accept")?;
    let mut flipped = good.clone();
    if let Some(b) = flipped.last_mut() {
        *b ^= 1;
    }
    f.cose("signature bit flipped", &flipped, &keys, "bad_signature")?;
    let other_tag = if T::TYPE_TAG == 1 { 2 } else { 1 };
    let wrong = cose::sign1_with_aad(
        &signer,
        k.as_bytes(),
        &sample.to_bytes(),
        &cose_aad(other_tag),
    )?;
    f.cose(
        "signed as another type (external_aad of another tag)",
        &wrong,
        &keys,
        "bad_signature",
    )?;
    let stranger = ed25519(seed::STRANGER);
    let unknown = sign_cose(sample, &stranger, &kid(&stranger))?;
    f.cose("signed by an unknown key", &unknown, &keys, "unknown_kid")?;
    let noncanon = deep_non_canonical(&sample.to_bytes())?;
    let noncanon = cose::sign1_with_aad(&signer, k.as_bytes(), &noncanon, &cose_aad(T::TYPE_TAG))?;
    f.cose(
        "validly signed non-canonical payload",
        &noncanon,
        &keys,
        "non_canonical",
    )?;
    Ok(())
}

fn signed_cases<B: WireMessage>(
    f: &mut FileBuilder,
    s: &Signed<B>,
    signer_seed: u8,
) -> anyhow::Result<()> {
    let key = ed25519(signer_seed).public_key();
    let bytes = s.to_bytes();
    f.signed("signature verifies", &bytes, &key, "accept")?;
    let mut flipped = bytes.clone();
    if let Some(b) = flipped.last_mut() {
        *b ^= 1;
    }
    f.signed("signature bit flipped", &flipped, &key, "bad_signature")?;
    f.signed(
        "verified with another key",
        &bytes,
        &ed25519(seed::STRANGER).public_key(),
        "bad_signature",
    )?;
    Ok(())
}

fn invalid<T: WireMessage>(
    f: &mut FileBuilder,
    name: &str,
    v: &T,
    expect: &str,
) -> anyhow::Result<()> {
    f.cbor(name, &v.to_bytes(), 0, expect)
}

/// Every file.
pub(crate) fn all_files() -> anyhow::Result<Vec<(String, Json)>> {
    use samples as s;
    let mut files = vec![
        message_file(
            &s::claims(),
            "Health-code claims: the COSE payload of the holder QR.",
            |f| {
                cose_cases(f, &s::claims(), seed::ZJ_CODE)?;
                let es = DetEs256::from_label("hcx conformance es256 code key");
                let k = kid(&es);
                let cose_bytes = sign_cose(&s::claims_largest(), &es, &k)?;
                f.cose(
                    "largest code, ES256 (RFC 6979)",
                    &cose_bytes,
                    &[(&es, k)],
                    "accept",
                )?;
                let mut c = s::claims();
                c.valid_hours = 0;
                invalid(f, "lifetime of zero hours", &c, "invalid_value")?;
                c.valid_hours = 169;
                invalid(f, "lifetime over 7 days", &c, "invalid_value")?;
                let mut c = s::claims();
                c.country = Some("CHN".into());
                invalid(f, "country on a mainland id", &c, "invalid_value")?;
                let mut c = s::claims();
                c.number_mask = "*12X".into();
                invalid(f, "number mask shows three characters", &c, "invalid_value")?;
                let mut c = s::claims();
                c.name_mask = "王小明".into();
                invalid(f, "name not masked", &c, "invalid_value")?;
                Ok(())
            },
        )?,
        message_file(
            &s::delegation(),
            "A guardian's delegation for a dependant's code.",
            |f| {
                cose_cases(f, &s::delegation(), seed::ZJ_CODE)?;
                let mut d = s::delegation();
                d.scope = 8;
                invalid(f, "unknown scope bit", &d, "invalid_value")
            },
        )?,
        message_file(&s::venue_static(), "A printed (static) venue code.", |f| {
            cose_cases(f, &s::venue_static(), seed::ZJ_CODE)
        })?,
        message_file(
            &s::venue_dynamic(),
            "A dynamic venue code; HMAC cases check ±1 step.",
            venue_hmac_cases,
        )?,
        message_file(
            &s::trust_bundle(),
            "The trust bundle for offline gates.",
            |f| {
                cose_cases(f, &s::trust_bundle(), seed::ZJ_OP)?;
                let mut b = s::trust_bundle();
                b.fresh_until = b.created_at;
                invalid(f, "freshness bound not after creation", &b, "invalid_value")
            },
        )?,
        message_file(
            &s::evidence(),
            "Evidence signed by an evidence-source account.",
            |f| signed_cases(f, &s::evidence(), seed::EVIDENCE),
        )?,
        message_file(
            &s::approval(seed::ADMIN),
            "An approval signed by an admin.",
            |f| signed_cases(f, &s::approval(seed::ADMIN), seed::ADMIN),
        )?,
        message_file(&s::terminal_exit(), "A terminal's exit statement.", |f| {
            signed_cases(f, &s::terminal_exit(), seed::TERMINAL)
        })?,
        message_file(&s::grant(), "A root's grant of an operational key.", |f| {
            signed_cases(f, &s::grant(), seed::ZJ_ROOT)
        })?,
        message_file(&s::log_entry(), "An audit-log entry (Merkle leaf).", |f| {
            let mut e = s::log_entry();
            e.message = None;
            invalid(f, "accepted entry without its message", &e, "invalid_value")
        })?,
        message_file(
            &s::envelope(1),
            "The federation envelope (a status delta batch).",
            envelope_cases,
        )?,
        message_file(&s::charter(), "A genesis charter of three members.", |f| {
            let mut c = s::charter();
            c.body.threshold = 1;
            invalid(f, "threshold not over half", &c, "invalid_value")?;
            let mut c = s::charter();
            c.body.members.swap(0, 1);
            invalid(f, "members not sorted by region", &c, "invalid_value")
        })?,
        message_file(&s::node_certificate(), "A node certificate.", |_| Ok(()))?,
        message_file(&s::key_announcement(), "A key announcement.", |f| {
            let mut k = s::key_announcement();
            k.role = KeyRole::Notice;
            invalid(f, "notice key that is not X25519", &k, "invalid_value")
        })?,
        message_file(&s::roster(), "An admin roster.", |_| Ok(()))?,
        message_file(&s::rule_set(), "A signed rule set.", |f| {
            let mut r = s::rule_set();
            r.palette.remove(0);
            invalid(f, "palette without green", &r, "invalid_value")
        })?,
        message_file(&s::delta_batch(), "A status delta batch.", delta_cases)?,
        message_file(&s::snapshot(), "A status snapshot.", |f| {
            let mut sn = s::snapshot();
            sn.non_green.reverse();
            invalid(f, "non-green codes not sorted", &sn, "invalid_value")
        })?,
        message_file(&s::risk_areas(), "A risk-area list.", |_| Ok(()))?,
        message_file(&s::risk_notice(), "A risk notice.", |f| {
            let mut n = s::risk_notice();
            n.sealed.ciphertext.truncate(15);
            invalid(f, "sealed reason shorter than its tag", &n, "invalid_value")
        })?,
        message_file(&s::checkpoint(), "A checkpoint (opaque C2SP note).", |_| {
            Ok(())
        })?,
        message_file(
            &s::cosignature(),
            "A cosigned checkpoint (opaque note).",
            |_| Ok(()),
        )?,
        message_file(&s::equivocation(), "Equivocation evidence.", |f| {
            let mut e = s::equivocation();
            e.second = e.first.clone();
            invalid(f, "two identical items", &e, "invalid_value")
        })?,
        message_file(&s::log_reset(), "A log reset.", |_| Ok(()))?,
        message_file(&s::destruction(), "A destruction statement.", |_| Ok(()))?,
        message_file(&s::admission_request(), "An admission request.", |_| Ok(()))?,
        message_file(&s::admission_response(), "An admission response.", |_| {
            Ok(())
        })?,
        message_file(&s::catch_up_request(), "A catch-up request.", |_| Ok(()))?,
        message_file(&s::catch_up_heads(), "Catch-up heads.", |_| Ok(()))?,
        message_file(&s::catch_up_page(), "A catch-up page.", |_| Ok(()))?,
    ];
    files.push(qr_file()?);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    ensure!(
        names.len() == type_table().len() + 1,
        "a file per type: {names:?}"
    );
    Ok(files)
}

fn venue_hmac_cases(f: &mut FileBuilder) -> anyhow::Result<()> {
    let code = s_venue();
    let mut push = |name: &str, secret: &[u8], now: u64, expect: &str| -> anyhow::Result<()> {
        let got = match code.check(secret, now) {
            Ok(()) => "accept",
            Err(VenueError::StepOutOfWindow { .. }) => "step_out_of_window",
            Err(_) => "bad_tag",
        };
        ensure!(got == expect, "venue {name}: expected {expect}, got {got}");
        f.cases.push(json!({
            "name": name,
            "form": "venue_hmac",
            "hex": hex::encode(code.to_bytes()),
            "secret_hex": hex::encode(secret),
            "now": now,
            "expect": expect,
        }));
        Ok(())
    };
    let step_start = NOW / 60 * 60;
    push("same step", samples::VENUE_SECRET, NOW, "accept")?;
    push(
        "one step later",
        samples::VENUE_SECRET,
        step_start + 60,
        "accept",
    )?;
    push(
        "one step earlier",
        samples::VENUE_SECRET,
        step_start - 1,
        "accept",
    )?;
    push(
        "two steps later",
        samples::VENUE_SECRET,
        step_start + 120,
        "step_out_of_window",
    )?;
    push(
        "two steps earlier",
        samples::VENUE_SECRET,
        step_start - 61,
        "step_out_of_window",
    )?;
    push("another venue's secret", b"another secret", NOW, "bad_tag")
}

fn s_venue() -> VenueDynamic {
    samples::venue_dynamic()
}

fn envelope_cases(f: &mut FileBuilder) -> anyhow::Result<()> {
    cose_cases(f, &samples::envelope(1), seed::ZJ_OP)?;
    let mut e = samples::envelope(1);
    e.stream.kind = 22;
    invalid(f, "stream kind differs from the type", &e, "invalid_value")?;
    let mut e = samples::envelope(1);
    e.seq = 0;
    invalid(f, "sequence number zero", &e, "invalid_value")?;
    let mut e = samples::envelope(1);
    e.stream.recipient = Some(samples::gx());
    invalid(f, "recipient on a broadcast stream", &e, "invalid_value")?;
    let snap = Envelope::new(
        samples::gx(),
        1,
        NOW,
        Body::StatusSnapshot(samples::snapshot()),
    );
    invalid(
        f,
        "snapshot of another region than the sender",
        &snap,
        "invalid_value",
    )?;
    // Type tag 99 (no such kind) with an otherwise valid header.
    let mut es = map_entries(&samples::envelope(1).to_bytes())?;
    if let Some(e) = es.first_mut() {
        e.1 = Value::Unsigned(99);
    }
    f.cbor(
        "unknown type tag 99",
        &Value::Map(es).to_canonical(),
        0,
        "wrong_type_tag",
    )?;
    // A valid status snapshot body under the status-delta type tag.
    let mut es = map_entries(&samples::envelope(1).to_bytes())?;
    if let Some(e) = es.get_mut(5) {
        e.1 = value_of(&samples::snapshot().to_bytes())?;
    }
    f.cbor(
        "snapshot body under the delta type tag",
        &Value::Map(es).to_canonical(),
        0,
        "wrong_type",
    )
}

fn delta_cases(f: &mut FileBuilder) -> anyhow::Result<()> {
    let mut b = samples::delta_batch();
    if let Some(d) = b.deltas.first_mut() {
        d.evidence = None;
    }
    invalid(f, "non-green delta without evidence", &b, "invalid_value")?;
    invalid(
        f,
        "empty batch",
        &StatusDeltaBatch { deltas: vec![] },
        "invalid_value",
    )?;
    let big = StatusDeltaBatch {
        deltas: (0..1001).map(samples::delta_green).collect(),
    };
    invalid(
        f,
        "1,001 entries (over 64 KiB as well as over the cap)",
        &big,
        "too_large",
    )?;
    let mut b = samples::delta_batch();
    if let Some(q) = b.deltas.first_mut().and_then(|d| d.quorum.as_mut()) {
        q.k = 3;
    }
    invalid(
        f,
        "quorum certificate with fewer approvals than k",
        &b,
        "invalid_value",
    )
}

// ---- QR text -------------------------------------------------------------------------

struct QrKey {
    signer: Box<dyn Signer>,
    region: Region,
    not_before: u64,
    not_after: u64,
}

fn qr_file() -> anyhow::Result<(String, Json)> {
    let ed = QrKey {
        signer: Box::new(ed25519(seed::ZJ_CODE)),
        region: samples::zj(),
        not_before: NOW - 90 * 86400,
        not_after: NOW + 90 * 86400,
    };
    let es = QrKey {
        signer: Box::new(DetEs256::from_label("hcx conformance es256 code key")),
        region: Region::from_code(820000).context("Macao")?,
        not_before: 0,
        not_after: u64::from(u32::MAX) + 86400,
    };
    let keys = [&ed, &es];
    let macao_snapshot = StatusSnapshot {
        region: es.region,
        date: NOW - 600,
        fresh_until: NOW + 3 * 3600,
        non_green: vec![],
        revoked: vec![],
    };
    let snapshots = vec![samples::snapshot(), macao_snapshot];
    let mut cases = Vec::new();
    let mut add = |name: &str,
                   text: &str,
                   now: u64,
                   snaps: &[StatusSnapshot],
                   expect: &str|
     -> anyhow::Result<()> {
        let mut store = TrustStore::new();
        for k in &keys {
            store.add_key(
                kid(k.signer.as_ref()),
                TrustedKey {
                    region: k.region,
                    key: k.signer.public_key(),
                    not_before: k.not_before,
                    not_after: k.not_after,
                },
            );
        }
        for s in snaps {
            store.add_snapshot(s.clone());
        }
        let v = verify_qr_text(text, &store, now);
        let got = if v.result == ResultCode::Valid {
            "accept"
        } else {
            v.result.as_str()
        };
        ensure!(
            got == expect,
            "qr / {name}: expected {expect}, hcx-protocol says {got}"
        );
        let cose_bytes = qr::decode_hcx(text).ok();
        let payload = cose_bytes.as_deref().and_then(|c| {
            cose::Sign1::parse(c, cose::Profile::Hcx)
                .ok()
                .map(|p| p.payload().to_vec())
        });
        let claims = payload
            .as_deref()
            .and_then(|p| CodeClaims::from_bytes(p).ok());
        let mut case = json!({
            "name": name,
            "form": "qr",
            "text": text,
            "now": now,
            "trust": {
                "keys": keys.iter().map(|k| json!({
                    "kid_hex": hex::encode(kid(k.signer.as_ref()).as_bytes()),
                    "alg": k.signer.alg().cose_id(),
                    "public_key_hex": hex::encode(k.signer.public_key().as_bytes()),
                    "region": k.region.code(),
                    "not_before": k.not_before,
                    "not_after": k.not_after,
                })).collect::<Vec<_>>(),
                "snapshots_hex": snaps.iter().map(|s| hex::encode(s.to_bytes())).collect::<Vec<_>>(),
            },
            "cose_hex": cose_bytes.as_deref().map(hex::encode),
            "payload_hex": payload.as_deref().map(hex::encode),
            "code_id_hash_hex": claims.as_ref().map(|c| hex::encode(c.code_id.hash().0)),
            "expect": expect,
        });
        if let Some(info) = v.info.filter(|_| expect == "accept") {
            case["colour"] = json!(info.colour.0);
            case["risk"] = json!(info.risk.code());
            case["issuer"] = json!(info.issuer.code());
            case["expires_at"] = json!(info.expires_at);
        }
        cases.push(case);
        Ok(())
    };
    let ed_signer = ed25519(seed::ZJ_CODE);
    let code_text = |c: &CodeClaims, s: &dyn Signer| -> anyhow::Result<String> {
        Ok(qr::encode_hcx(&sign_cose(c, s, &kid(s))?)?)
    };
    let good = code_text(&samples::claims(), &ed_signer)?;
    add("valid green code", &good, NOW, &snapshots, "accept")?;
    let largest = code_text(&samples::claims_largest(), es.signer.as_ref())?;
    add(
        "largest code, ES256, fits QR 10-M",
        &largest,
        u64::from(u32::MAX) - 7 * 86400 + 60,
        &[StatusSnapshot {
            date: u64::from(u32::MAX) - 7 * 86400,
            fresh_until: u64::from(u32::MAX),
            ..snapshots[1].clone()
        }],
        "accept",
    )?;
    let expires = samples::claims().expires_at();
    add("expired (at expiry)", &good, expires, &snapshots, "expired")?;
    add(
        "not yet valid (issued 121 s in the future)",
        &good,
        NOW - 3600 - 121,
        &snapshots,
        "not_yet_valid",
    )?;
    add(
        "issued 120 s in the future (clock skew allowed)",
        &good,
        NOW - 3600 - 120,
        &snapshots,
        "accept",
    )?;
    add(
        "no fresh status snapshot",
        &good,
        NOW + 3 * 3600,
        &snapshots,
        "status_stale",
    )?;
    add("no snapshot at all", &good, NOW, &[], "status_stale")?;
    let stranger = ed25519(seed::STRANGER);
    add(
        "unknown key",
        &code_text(&samples::claims(), &stranger)?,
        NOW,
        &snapshots,
        "unknown_key",
    )?;
    let forged = qr::encode_hcx(&sign_cose(&samples::claims(), &stranger, &kid(&ed_signer))?)?;
    add(
        "bad signature (another key under a trusted kid)",
        &forged,
        NOW,
        &snapshots,
        "bad_signature",
    )?;
    let mut c = samples::claims();
    c.issuer = RegionPrefix(samples::gx());
    add(
        "Zhejiang key signing a Guangxi code",
        &code_text(&c, &ed_signer)?,
        NOW,
        &snapshots,
        "wrong_issuer",
    )?;
    let mut c = samples::claims();
    c.issued_at = NOW + 90 * 86400 - 3600;
    add(
        "code outlives its key",
        &code_text(&c, &ed_signer)?,
        NOW,
        &snapshots,
        "key_not_valid_at_issuance",
    )?;
    let h = samples::claims().code_id.hash();
    let mut listed = samples::snapshot();
    listed.revoked = vec![h];
    add(
        "revoked in the issuer's snapshot",
        &good,
        NOW,
        &[listed],
        "revoked",
    )?;
    let mut listed = samples::snapshot();
    listed.non_green.push(h);
    listed.non_green.sort();
    add(
        "green code listed non-green",
        &good,
        NOW,
        &[listed.clone()],
        "status_changed",
    )?;
    let mut red = samples::claims();
    red.colour = Colour::RED;
    add(
        "red code listed non-green",
        &code_text(&red, &ed_signer)?,
        NOW,
        &[listed],
        "accept",
    )?;
    add(
        "wrong prefix",
        &good.replacen("HCX1:", "HC1:", 1),
        NOW,
        &snapshots,
        "malformed",
    )?;
    add(
        "lower-case prefix",
        &good.replacen("HCX1:", "hcx1:", 1),
        NOW,
        &snapshots,
        "malformed",
    )?;
    add(
        "not base45",
        &format!("{good}~"),
        NOW,
        &snapshots,
        "malformed",
    )?;
    add(
        "text over 311 characters",
        &format!("HCX1:{}", "0".repeat(307)),
        NOW,
        &snapshots,
        "malformed",
    )?;
    let noncanon = deep_non_canonical(&samples::claims().to_bytes())?;
    let noncanon = cose::sign1_with_aad(
        &ed_signer,
        kid(&ed_signer).as_bytes(),
        &noncanon,
        &cose_aad(1),
    )?;
    add(
        "validly signed non-canonical claims",
        &qr::encode_hcx(&noncanon)?,
        NOW,
        &snapshots,
        "malformed",
    )?;
    let deleg = sign_cose(&samples::delegation(), &ed_signer, &kid(&ed_signer))?;
    add(
        "a signed delegation is not a code",
        &qr::encode_hcx(&deleg)?,
        NOW,
        &snapshots,
        "malformed",
    )?;
    ensure!(
        largest.len() <= qr::MAX_HCX_TEXT_CHARS,
        "largest code too long"
    );
    let doc = json!({
        "hcx_vectors": FORMAT,
        "type": "qr-text",
        "description": "Holder QR texts verified offline (verify_qr_text) against the given trust at `now`.",
        "now": NOW,
        "generator": "hcx-conformance generate-hcx-vectors (conformance/src/generate)",
        "example_annotated": annotate(&qr::decode_hcx(&good)?),
        "cases": cases,
    });
    Ok(("qr-text.json".into(), doc))
}
