//! Identity documents: the types hcx accepts for real-name registration and the holder
//! binding, and (being written) their format validation.

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};

/// The kind of identity document a holder registered with. The wire value is the
/// discriminant (a small unsigned integer) and never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocType {
    /// Mainland resident identity card (GB 11643, 18 characters).
    MainlandId = 1,
    /// Passport (ICAO 9303), with its issuing country.
    Passport = 2,
    /// Mainland travel permit for Hong Kong and Macao residents.
    HkMacaoPermit = 3,
    /// Mainland travel permit for Taiwan residents.
    TaiwanPermit = 4,
    /// Residence permit for Hong Kong, Macao and Taiwan residents (GB 11643 layout).
    HkMacaoTaiwanResidencePermit = 5,
    /// Foreigner's permanent residence identity card.
    ForeignPermanentResidence = 6,
}

impl DocType {
    /// Every document type, in wire order.
    pub const ALL: [Self; 6] = [
        Self::MainlandId,
        Self::Passport,
        Self::HkMacaoPermit,
        Self::TaiwanPermit,
        Self::HkMacaoTaiwanResidencePermit,
        Self::ForeignPermanentResidence,
    ];

    /// The wire value.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The type for a wire value.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl Cbor for DocType {
    fn encode(&self, e: &mut Encoder) {
        e.u64(self.code());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::from_code(d.u64()?).ok_or(DecodeError::InvalidValue {
            field: "document type",
        })
    }
}
