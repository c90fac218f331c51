//! Witness state-machine tests: a synthetic log driven through every refusal and the
//! happy paths, plus proptests (parsing never panics; honest appends are always cosigned).

use proptest::prelude::*;

use super::*;
use crate::merkle::{LeafHashes, MemoryTree, consistency_proof, root};
use crate::note::{NoteSigner, open};

const ORIGIN: &str = "hcx.example/log/330000";

struct Log {
    tree: MemoryTree,
    signer: NoteSigner,
}

impl Log {
    fn new(n: u64) -> Self {
        let mut tree = MemoryTree::new();
        for i in 0..n {
            tree.push_leaf(format!("entry {i}").as_bytes());
        }
        Self {
            tree,
            signer: NoteSigner::from_seed(ORIGIN, &[5; 32]).unwrap(),
        }
    }

    fn note(&self, size: u64) -> String {
        let cp = Checkpoint::new(ORIGIN, size, root(&self.tree, size).unwrap()).unwrap();
        let mut n = Note::new(&cp.to_text()).unwrap();
        n.sign(&self.signer).unwrap();
        n.to_string()
    }

    fn body(&self, old: u64, size: u64, proof: &[Hash]) -> Vec<u8> {
        let mut s = format!("old {old}\n");
        for h in proof {
            s.push_str(&crate::note::b64_encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.note(size));
        s.into_bytes()
    }

    fn honest_body(&self, old: u64, size: u64) -> Vec<u8> {
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            consistency_proof(&self.tree, old, size).unwrap()
        };
        self.body(old, size, &proof)
    }
}

fn cosigner() -> Cosigner {
    Cosigner::from_seed("witness.example", &[6; 32]).unwrap()
}

fn run(log: &Log, body: &[u8], stored: Option<WitnessState>) -> Result<Accepted, Refusal> {
    let keys = vec![log.signer.verifier()];
    handle(
        body,
        |origin| ((origin == ORIGIN).then_some(keys), stored),
        &cosigner(),
        1_700_000_000,
    )
}

#[test]
fn happy_path_and_cosignature_verifies() {
    let log = Log::new(10);
    let a = run(&log, &log.honest_body(0, 3), None).unwrap();
    assert_eq!(a.new_state.size, 3);
    // The body is a cosignature line that verifies on the checkpoint.
    let note = format!("{}{}", log.note(3), a.body());
    let opened = open(note.as_bytes(), &[cosigner().verifier()]).unwrap();
    assert_eq!(opened.verified.len(), 1);
    let b = run(&log, &log.honest_body(3, 10), Some(a.new_state)).unwrap();
    assert_eq!(
        b.new_state,
        WitnessState {
            size: 10,
            root: log.tree.root()
        }
    );
    // Idempotent resubmission.
    let c = run(&log, &log.honest_body(10, 10), Some(b.new_state)).unwrap();
    assert_eq!(c.new_state, b.new_state);
    // Empty tree.
    assert_eq!(
        run(&log, &log.honest_body(0, 0), None)
            .unwrap()
            .new_state
            .size,
        0
    );
}

#[test]
fn refusals() {
    let log = Log::new(10);
    let s3 = Some(WitnessState {
        size: 3,
        root: root(&log.tree, 3).unwrap(),
    });
    let status = |body: &[u8], stored| {
        run(&log, body, stored)
            .map(|_| 200)
            .unwrap_or_else(|r| r.status())
    };
    assert_eq!(status(b"garbage", None), 400);
    assert_eq!(status(&log.honest_body(3, 10), None), 409);
    assert_eq!(
        run(&log, &log.honest_body(0, 10), s3).unwrap_err().body(),
        "3\n"
    );
    assert_eq!(status(&log.body(5, 4, &[]), s3), 400);
    assert_eq!(status(&log.body(3, 10, &[]), s3), 422);
    assert_eq!(status(&log.body(0, 3, &[[0; 32]]), None), 422);
    assert_eq!(status(&log.body(3, 3, &[[0; 32]]), s3), 422);
    let fork = Some(WitnessState {
        size: 3,
        root: [9; 32],
    });
    assert_eq!(status(&log.honest_body(3, 3), fork), 422);
    assert_eq!(status(&log.honest_body(3, 10), fork), 422);
    // Unknown origin and a foreign signer.
    let keys = vec![log.signer.verifier()];
    let r = handle(&log.honest_body(0, 3), |_| (None, None), &cosigner(), 1).unwrap_err();
    assert_eq!(r.status(), 404);
    let other = NoteSigner::from_seed(ORIGIN, &[8; 32]).unwrap();
    let r = handle(
        &log.honest_body(0, 3),
        |_| (Some(vec![other.verifier()]), None),
        &cosigner(),
        1,
    )
    .unwrap_err();
    assert_eq!(r.status(), 403);
    // A non-empty root at size 0.
    let cp = Checkpoint::new(ORIGIN, 0, [1; 32]).unwrap();
    let mut n = Note::new(&cp.to_text()).unwrap();
    n.sign(&log.signer).unwrap();
    let body = format!("old 0\n\n{n}");
    let r = handle(body.as_bytes(), |_| (Some(keys), None), &cosigner(), 1).unwrap_err();
    assert_eq!(r.status(), 422);
    // Proof line limits and syntax.
    let mut too_many = "old 1\n".to_owned();
    for _ in 0..=MAX_PROOF_LINES {
        too_many.push_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    }
    too_many.push('\n');
    too_many.push_str(&log.note(3));
    assert_eq!(
        AddCheckpointRequest::parse(too_many.as_bytes()),
        Err(RequestError::TooManyProofLines)
    );
    assert_eq!(
        AddCheckpointRequest::parse(b"old 01\n\n"),
        Err(RequestError::BadOldLine)
    );
    assert_eq!(
        AddCheckpointRequest::parse(b"old 1\n!!\n\n"),
        Err(RequestError::BadProofLine)
    );
    assert_eq!(
        AddCheckpointRequest::parse(b"old 1\n"),
        Err(RequestError::NoBlankLine)
    );
}

proptest! {
    #[test]
    fn request_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = AddCheckpointRequest::parse(&bytes);
    }

    #[test]
    fn request_parser_never_panics_on_text(s in "(old [0-9]{1,3}\n)?(\\PC|\n|\u{2014}| ){0,300}") {
        let _ = AddCheckpointRequest::parse(s.as_bytes());
    }

    #[test]
    fn honest_appends_are_always_cosigned(steps in proptest::collection::vec(0u64..20, 1..8)) {
        let log = Log::new(steps.iter().sum::<u64>() + 1);
        let mut state: Option<WitnessState> = None;
        let mut size = 0;
        for s in steps {
            let next = size + s;
            let a = run(&log, &log.honest_body(size, next), state).unwrap();
            prop_assert_eq!(a.new_state.size, next);
            prop_assert_eq!(a.new_state.root, root(&log.tree, next).unwrap());
            prop_assert!(log.tree.size() >= next);
            state = Some(a.new_state);
            size = next;
        }
    }
}
