//! The federation envelope: the COSE_Sign1 payload of every federation message,
//! `{1: type tag, 2: sender region, 3: stream, 4: seq, 5: time, 6: body}`, signed by the
//! sender's operational key, and [`Body`], the typed union of every federation kind.
//!
//! A stream is one sender's numbered sequence: one per broadcast kind (`kind` = the type
//! tag, no recipient) and one per recipient for directed notices. (sender, stream, seq)
//! identifies a message: the same triple twice is a replay, with other bytes it is
//! equivocation. Freshness of live gossip is the node's check, not the decoder's.
//!
//! Not here: the COSE signature (`crate::cose`), replay and equivocation bookkeeping (the
//! node).

use crate::cbor::{self, Cbor, DecodeError, Decoder, Encoder, Limits, MapBuilder};

use super::{
    AdminRoster, Charter, CheckpointNote, CosignatureNote, DestructionStatement, Equivocation,
    KeyAnnouncement, LogReset, NodeCertificate, Region, RiskAreaList, RiskNotice, RuleSet,
    StatusDeltaBatch, StatusSnapshot, WireMessage, wire_message, wire_struct,
};

wire_struct! {
    /// A stream of one sender: `{1: kind, 2?: recipient}`. `kind` is the type tag of the
    /// messages it carries; `recipient` is present exactly for directed kinds.
    #[derive(Hash, PartialOrd, Ord)]
    pub struct StreamId {
        /// The message kind (type tag).
        1 req kind: u64,
        /// The recipient of a directed stream.
        2 opt recipient: Region,
    }
}

impl StreamId {
    /// The broadcast stream of kind `T`.
    pub const fn broadcast<T: WireMessage>() -> Self {
        Self {
            kind: T::TYPE_TAG,
            recipient: None,
        }
    }

    /// The directed stream of kind `T` to `recipient`.
    pub const fn directed<T: WireMessage>(recipient: Region) -> Self {
        Self {
            kind: T::TYPE_TAG,
            recipient: Some(recipient),
        }
    }
}

/// Declares [`Body`] (one variant per federation message type) and its dispatch, from
/// one list, so a new type cannot be added to one and forgotten in the other.
macro_rules! body_dispatch {
    ($($(#[$doc:meta])* $variant:ident($t:ty)),* $(,)?) => {
        /// Every federation message body.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)] // bodies are built once and moved, never copied in bulk
        pub enum Body {
            $($(#[$doc])* $variant($t),)*
        }

        impl Body {
            /// The body's type tag.
            pub const fn type_tag(&self) -> u64 {
                match self { $(Self::$variant(_) => <$t as WireMessage>::TYPE_TAG,)* }
            }

            /// The body type's name.
            pub const fn name(&self) -> &'static str {
                match self { $(Self::$variant(_) => <$t as WireMessage>::NAME,)* }
            }

            /// Every federation type tag.
            pub const TAGS: &'static [u64] = &[$(<$t as WireMessage>::TYPE_TAG),*];

            /// The size limit of a body of type `tag`.
            pub const fn max_bytes(tag: u64) -> Option<usize> {
                $(if tag == <$t as WireMessage>::TYPE_TAG { return Some(<$t as WireMessage>::MAX_BYTES); })*
                None
            }

            fn encode_body(&self, e: &mut Encoder) {
                match self { $(Self::$variant(b) => b.encode(e),)* }
            }

            /// Decodes a body of type `tag` from its own canonical bytes, under that
            /// type's size limit.
            ///
            /// # Errors
            /// An unknown tag or any decode error of the body.
            pub fn decode_tagged(tag: u64, bytes: &[u8]) -> Result<Self, DecodeError> {
                $(if tag == <$t as WireMessage>::TYPE_TAG {
                    return <$t as WireMessage>::from_bytes(bytes).map(Self::$variant);
                })*
                Err(DecodeError::InvalidValue { field: "envelope type tag" })
            }
        }
    };
}

body_dispatch! {
    /// A charter.
    Charter(Charter),
    /// A node certificate.
    NodeCertificate(NodeCertificate),
    /// A key announcement.
    KeyAnnouncement(KeyAnnouncement),
    /// An admin roster.
    AdminRoster(AdminRoster),
    /// A signed rule set.
    RuleSet(RuleSet),
    /// A status delta batch.
    StatusDeltaBatch(StatusDeltaBatch),
    /// A status snapshot.
    StatusSnapshot(StatusSnapshot),
    /// A risk-area list.
    RiskAreaList(RiskAreaList),
    /// A risk notice (directed).
    RiskNotice(RiskNotice),
    /// A log checkpoint.
    Checkpoint(CheckpointNote),
    /// A cosigned checkpoint.
    Cosignature(CosignatureNote),
    /// Equivocation evidence.
    Equivocation(Equivocation),
    /// A log reset.
    LogReset(LogReset),
    /// A destruction statement.
    Destruction(DestructionStatement),
}

impl Body {
    /// Whether messages of type `tag` travel on per-recipient (directed) streams.
    pub const fn is_directed(tag: u64) -> bool {
        tag == RiskNotice::TYPE_TAG
    }

    /// The region a body names as its author, where it names one (it must be the sender).
    pub fn author(&self) -> Option<Region> {
        match self {
            Self::NodeCertificate(c) => Some(c.grant.body.region),
            Self::KeyAnnouncement(k) => Some(k.region),
            Self::AdminRoster(r) => Some(r.region),
            Self::RuleSet(r) => Some(r.region),
            Self::StatusSnapshot(s) => Some(s.region),
            Self::RiskAreaList(r) => Some(r.region),
            Self::Destruction(d) => Some(d.region),
            _ => None,
        }
    }
}

/// The largest envelope (an equivocation proof carrying two large envelopes).
pub const ENVELOPE_MAX: usize = super::EQUIVOCATION_MAX + 1024;

/// A federation envelope: header fields and the typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Sender region.
    pub sender: Region,
    /// The sender's stream.
    pub stream: StreamId,
    /// Sequence number within the stream (from 1).
    pub seq: u64,
    /// Send time (Unix seconds).
    pub time: u64,
    /// The body; its type tag is key 1 of the encoding.
    pub body: Body,
}

wire_message!(Envelope, 15, ENVELOPE_MAX, "envelope");

impl Envelope {
    /// A new envelope on the sender's broadcast stream (or directed stream to the risk
    /// notice's target) for `body`.
    pub fn new(sender: Region, seq: u64, time: u64, body: Body) -> Self {
        let kind = body.type_tag();
        let recipient = match &body {
            Body::RiskNotice(n) => Some(n.target),
            _ => None,
        };
        Self {
            sender,
            stream: StreamId { kind, recipient },
            seq,
            time,
            body,
        }
    }

    /// Strictly decodes an envelope (the verified COSE payload) and type-checks it: the
    /// body under its own type's limit, the stream kind equal to the type tag, a
    /// recipient exactly for directed kinds (equal to the notice's target), and the
    /// body's author (where it names one) equal to the sender.
    ///
    /// # Errors
    /// The first violation.
    pub fn open(bytes: &[u8]) -> Result<Self, DecodeError> {
        cbor::from_canonical(bytes, Limits::message(ENVELOPE_MAX))
    }

    /// (sender, stream, seq): what identifies this message for replay and equivocation.
    pub fn replay_key(&self) -> (Region, &StreamId, u64) {
        (self.sender, &self.stream, self.seq)
    }

    fn check(&self) -> Result<(), DecodeError> {
        let tag = self.body.type_tag();
        if self.stream.kind != tag {
            return Err(DecodeError::InvalidValue {
                field: "stream kind differs from type",
            });
        }
        let expected = match &self.body {
            Body::RiskNotice(n) => Some(n.target),
            _ => None,
        };
        if self.stream.recipient != expected {
            return Err(DecodeError::InvalidValue {
                field: "stream recipient",
            });
        }
        if self.body.author().is_some_and(|a| a != self.sender) {
            return Err(DecodeError::InvalidValue {
                field: "body author differs from sender",
            });
        }
        if self.seq == 0 {
            return Err(DecodeError::InvalidValue {
                field: "sequence number",
            });
        }
        Ok(())
    }
}

impl Cbor for Envelope {
    fn encode(&self, e: &mut Encoder) {
        let mut m = MapBuilder::new();
        m.entry(1, |e| {
            e.u64(self.body.type_tag());
        });
        m.entry(2, |e| self.sender.encode(e));
        m.entry(3, |e| self.stream.encode(e));
        m.entry(4, |e| {
            e.u64(self.seq);
        });
        m.entry(5, |e| {
            e.u64(self.time);
        });
        m.entry(6, |e| self.body.encode_body(e));
        m.finish(e);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut f = d.begin_map()?;
        let tag = f.required(d, 1, Decoder::u64)?;
        let max = Body::max_bytes(tag).ok_or(DecodeError::InvalidValue {
            field: "envelope type tag",
        })?;
        let sender = f.required(d, 2, Region::decode)?;
        let stream = f.required(d, 3, StreamId::decode)?;
        let seq = f.required(d, 4, Decoder::u64)?;
        let time = f.required(d, 5, Decoder::u64)?;
        let raw = f.required(d, 6, Decoder::raw_item)?;
        f.finish(d)?;
        if raw.len() > max {
            return Err(DecodeError::TooLarge {
                size: raw.len(),
                limit: max,
            });
        }
        let body = Body::decode_tagged(tag, raw)?;
        let env = Self {
            sender,
            stream,
            seq,
            time,
            body,
        };
        env.check()?;
        Ok(env)
    }
}
