//! Unit and property tests for notes, vkeys, checkpoints and cosignatures.

use proptest::prelude::*;

use super::*;
use crate::merkle::EMPTY_ROOT;

const EXAMPLE_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";

fn signer(name: &str, b: u8) -> NoteSigner {
    NoteSigner::from_seed(name, &[b; 32]).unwrap()
}

#[test]
fn vkey_roundtrip_and_key_id() {
    let v = VerifierKey::parse(EXAMPLE_VKEY).unwrap();
    assert_eq!(v.name(), "example.com/foo");
    assert_eq!(v.key_id(), 0x530d_903a);
    assert_eq!(v.key_type(), KeyType::Ed25519);
    assert_eq!(v.to_string(), EXAMPLE_VKEY);
    assert_eq!(
        key_id(v.name(), KeyType::Ed25519, v.public_key()),
        0x530d_903a
    );
    assert!(VerifierKey::parse(&EXAMPLE_VKEY.replace("530d903a", "530D903A")).is_err());
    assert!(matches!(
        VerifierKey::parse(&EXAMPLE_VKEY.replace("530d903a", "530d903b")),
        Err(VkeyError::KeyIdMismatch { .. })
    ));
    assert!(VerifierKey::parse("a+b").is_err());
    assert!(VerifierKey::new("bad name", KeyType::Ed25519, [0; 32]).is_err());
}

#[test]
fn private_key_roundtrip() {
    let s = signer("PeterNeumann", 9);
    let text = s.to_private_key_string();
    let back = NoteSigner::parse_private_key(&text).unwrap();
    assert_eq!(back.verifier(), s.verifier());
    assert!(NoteSigner::parse_private_key(&text.replace("PRIVATE+KEY+", "")).is_err());
}

#[test]
fn sign_open_outcomes() {
    let (a, b) = (signer("alice", 1), signer("bob", 2));
    let mut n = Note::new("hello\n\nworld\n").unwrap();
    n.sign(&a).unwrap();
    n.sign(&b).unwrap();
    let bytes = n.to_bytes();
    assert_eq!(Note::parse(&bytes).unwrap(), n);

    let opened = open(&bytes, &[a.verifier()]).unwrap();
    assert_eq!(opened.text(), "hello\n\nworld\n");
    assert_eq!(opened.verified.len(), 1);
    assert_eq!(opened.unverified.len(), 1);
    assert_eq!(open(&bytes, &[]), Err(OpenError::Unverified));
    assert!(matches!(
        open(&bytes, &[a.verifier(), a.verifier()]),
        Err(OpenError::Ambiguous { .. })
    ));

    // Tamper with the text: the known key fails.
    let tampered = String::from_utf8(bytes)
        .unwrap()
        .replacen("hello", "hellO", 1);
    assert!(matches!(
        open(tampered.as_bytes(), &[a.verifier()]),
        Err(OpenError::InvalidSignature { .. })
    ));
    assert!(Note::new("no newline").is_err());
    assert!(Note::new("ctl\u{1}\n").is_err());
}

#[test]
fn too_many_signatures() {
    let a = signer("alice", 1);
    let mut n = Note::new("x\n").unwrap();
    for _ in 0..signed_note::MAX_SIGNATURE_LINES {
        n.sign(&a).unwrap();
    }
    assert!(open(&n.to_bytes(), &[a.verifier()]).is_ok());
    assert_eq!(n.sign(&a), Err(NoteError::TooManySignatures));
    let mut s = n.to_string();
    s.push_str(&n.signatures()[0].to_string());
    assert_eq!(Note::parse(s.as_bytes()), Err(NoteError::TooManySignatures));
}

#[test]
fn checkpoint_strict() {
    let c = Checkpoint::new("hcx.example/log/330000", 7, [7; 32]).unwrap();
    assert_eq!(Checkpoint::parse(&c.to_text()).unwrap(), c);
    let empty = Checkpoint::new("o", 0, EMPTY_ROOT).unwrap();
    assert_eq!(Checkpoint::parse(&empty.to_text()).unwrap(), empty);
    assert_eq!(
        Checkpoint::parse("o\n01\nAA==\n"),
        Err(CheckpointError::BadSize)
    );
    assert_eq!(
        Checkpoint::parse("o\n1\nAA==\n"),
        Err(CheckpointError::BadRootLength { len: 1 })
    );
    assert_eq!(
        Checkpoint::parse("o\n1\n"),
        Err(CheckpointError::TooFewLines)
    );
    let mut with_ext = c.to_text();
    with_ext.push_str("ext\n");
    assert_eq!(
        Checkpoint::parse(&with_ext).unwrap().extensions,
        vec!["ext".to_owned()]
    );
    with_ext.push('\n');
    assert_eq!(
        Checkpoint::parse(&with_ext),
        Err(CheckpointError::EmptyExtensionLine)
    );
}

#[test]
fn cosignature_sign_and_verify() {
    let log = signer("log", 3);
    let w = Cosigner::from_seed("witness.example", &[4; 32]).unwrap();
    let cp = Checkpoint::new("log", 5, [1; 32]).unwrap();
    let mut n = Note::new(&cp.to_text()).unwrap();
    n.sign(&log).unwrap();
    let line = w.cosign(n.text(), 1_700_000_000).unwrap();
    n.push_signature(line.clone()).unwrap();
    let c = Cosignature::from_line(&line).unwrap();
    assert_eq!(c.timestamp, 1_700_000_000);
    assert_eq!(Cosignature::from_bytes(&c.to_bytes()), Ok(c));
    let opened = open(&n.to_bytes(), &[log.verifier(), w.verifier()]).unwrap();
    assert_eq!(opened.verified.len(), 2);
    // The same public key as a type-0x01 key has another key id: the line is unknown.
    let plain = VerifierKey::new(
        "witness.example",
        KeyType::Ed25519,
        *w.verifier().public_key(),
    )
    .unwrap();
    assert_eq!(open(&n.to_bytes(), &[plain]), Err(OpenError::Unverified));
    assert!(w.cosign(n.text(), 1 << 63).is_err());
    let mut big = c.to_bytes();
    big[0] = 0x80;
    assert!(matches!(
        Cosignature::from_bytes(&big),
        Err(CosignatureError::TimestampTooLarge { .. })
    ));
    assert_eq!(
        signed_message("o\n1\nAA==\n", 12),
        "cosignature/v1\ntime 12\no\n1\nAA==\n".to_owned()
    );
}

proptest! {
    #[test]
    fn note_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let v = VerifierKey::parse(EXAMPLE_VKEY).unwrap();
        let _ = open(&bytes, &[v]);
        let _ = Note::parse(&bytes);
    }

    #[test]
    fn text_parsers_never_panic(s in "(\\PC|\n|\u{2014}| ){0,200}") {
        let _ = Note::parse(s.as_bytes());
        let _ = Checkpoint::parse(&s);
        let _ = VerifierKey::parse(&s);
        let _ = NoteSigner::parse_private_key(&s);
        let _ = SignatureLine::parse(&s);
    }

    #[test]
    fn sign_open_roundtrip(lines in proptest::collection::vec("[ -~]{0,30}", 1..5), seed: [u8; 32]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let s = NoteSigner::from_seed("k", &seed).unwrap();
        let mut n = Note::new(&text).unwrap();
        n.sign(&s).unwrap();
        let opened = open(&n.to_bytes(), &[s.verifier()]).unwrap();
        prop_assert_eq!(opened.text(), text.as_str());
    }

    #[test]
    fn checkpoint_roundtrip(origin in "[a-z./0-9]{1,30}", size: u64, root: [u8; 32]) {
        let c = Checkpoint::new(&origin, size, root).unwrap();
        prop_assert_eq!(Checkpoint::parse(&c.to_text()), Ok(c));
    }
}
