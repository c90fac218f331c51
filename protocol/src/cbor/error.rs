//! The one error type of the CBOR layer: every way an input can fail to be a
//! canonical, well-formed item of the expected shape.

/// Why a CBOR input was refused. Offsets are byte positions in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // each field is named by its variant's documentation
pub enum DecodeError {
    /// The input ends inside an item.
    #[error("input truncated at byte {offset}")]
    Truncated { offset: usize },
    /// Additional information 28–30 is reserved (not well-formed).
    #[error("reserved additional information at byte {offset}")]
    ReservedAdditionalInfo { offset: usize },
    /// A break (0xff) where no indefinite-length item is open, or a bad chunk inside one.
    #[error("unexpected break or bad indefinite-length chunk at byte {offset}")]
    BadIndefinite { offset: usize },
    /// An indefinite length; canonical CBOR allows definite lengths only.
    #[error("indefinite length at byte {offset}")]
    Indefinite { offset: usize },
    /// An integer, length or tag number not in its shortest form.
    #[error("non-shortest integer, length or tag at byte {offset}")]
    NonCanonicalHead { offset: usize },
    /// A float that a shorter float encodes exactly (or a NaN other than 0xf97e00).
    #[error("non-shortest float at byte {offset}")]
    NonCanonicalFloat { offset: usize },
    /// A two-byte simple value below 32 (not well-formed), or one hcx does not use.
    #[error("invalid simple value at byte {offset}")]
    InvalidSimple { offset: usize },
    /// A text string that is not valid UTF-8.
    #[error("invalid UTF-8 in text string at byte {offset}")]
    InvalidUtf8 { offset: usize },
    /// Map keys not in bytewise order of their encodings.
    #[error("map keys not sorted at byte {offset}")]
    UnsortedMapKeys { offset: usize },
    /// The same key twice in one map.
    #[error("duplicate map key at byte {offset}")]
    DuplicateMapKey { offset: usize },
    /// Nesting deeper than the limit.
    #[error("nesting deeper than {limit}")]
    TooDeep { limit: usize },
    /// The input is larger than the message type's named limit.
    #[error("{size} bytes exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// Bytes after the one expected item.
    #[error("trailing bytes at byte {offset}")]
    TrailingBytes { offset: usize },
    /// An item of another major type than the one expected.
    #[error("expected {expected} at byte {offset}")]
    WrongType {
        offset: usize,
        expected: &'static str,
    },
    /// An integer outside the range of the target type.
    #[error("integer out of range at byte {offset}")]
    IntegerOverflow { offset: usize },
    /// A tag whose content has the wrong type (tags 0–3) or that the reader does not allow.
    #[error("invalid content for tag {tag} at byte {offset}")]
    InvalidTag { offset: usize, tag: u64 },
    /// A byte string of the wrong length for a fixed-size field.
    #[error("expected {expected} bytes, got {got}, at byte {offset}")]
    WrongLength {
        offset: usize,
        expected: usize,
        got: usize,
    },
    /// A required map key is absent.
    #[error("missing map key {key}")]
    MissingKey { key: u64 },
    /// A map key the message type does not define.
    #[error("unknown map key at byte {offset}")]
    UnknownKey { offset: usize },
    /// A well-formed value that the field does not allow (unknown enum value, bad range).
    #[error("invalid value for {field}")]
    InvalidValue { field: &'static str },
}
