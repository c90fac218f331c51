//! Venue codes in two modes: the printed (static) code, COSE-signed by the region's
//! code-signing key, which can be forwarded; and the dynamic code a venue device shows,
//! `HMAC-SHA256(venue secret, step)` truncated to 16 bytes for the time step
//! `⌊t / 60⌋`, accepted within ±1 step. The check here is pure; rejecting a repeated
//! (venue, step, tag) is the node's job.

use crate::cbor::Encoder;

use super::{Digest, Region, wire_message, wire_struct};

/// Seconds per dynamic venue-code step.
pub const VENUE_STEP_SECONDS: u64 = 60;
/// Steps of clock skew accepted either side.
pub const VENUE_STEP_TOLERANCE: u64 = 1;

wire_struct! {
    /// A printed venue code (Tianfu style): signed, but forwardable.
    pub struct VenueStatic {
        /// Venue id, assigned by the region.
        1 req venue: [u8; 16],
        /// Region that registered the venue.
        2 req region: Region,
        /// SHA-256 of the venue's registered name (the name itself stays in the region).
        3 opt name_hash: Digest,
        /// Entrance number, for venues with several.
        4 opt entrance: u32,
        /// Issued at.
        5 req issued_at: u64,
    }
}
wire_message!(VenueStatic, 3, 256, "venue-static");

wire_struct! {
    /// A dynamic venue code shown on a venue device (unsigned: the tag is the proof).
    pub struct VenueDynamic {
        /// Venue id.
        1 req venue: [u8; 16],
        /// Time step `⌊t / 60⌋`.
        2 req step: u64,
        /// First 16 bytes of `HMAC-SHA256(secret, "hcx-venue-v1\0" ‖ venue ‖ step_be64)`.
        3 req tag: [u8; 16],
    }
}
wire_message!(VenueDynamic, 4, 64, "venue-dynamic");

/// Why a dynamic venue code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum VenueError {
    /// The step is more than one step away from `now`.
    #[error("venue code step {step} outside ±1 of {current}")]
    StepOutOfWindow { step: u64, current: u64 },
    /// The tag does not match.
    #[error("venue code tag does not match")]
    BadTag,
}

/// The time step of `now`.
pub const fn venue_step(now: u64) -> u64 {
    now / VENUE_STEP_SECONDS
}

/// The 16-byte tag of `venue` at `step` under `secret`.
pub fn venue_tag(secret: &[u8], venue: &[u8; 16], step: u64) -> [u8; 16] {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut msg = Encoder::new();
    msg.raw(b"hcx-venue-v1\0")
        .raw(venue)
        .raw(&step.to_be_bytes());
    let t = ring::hmac::sign(&key, msg.as_bytes());
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(t.as_ref()) {
        *o = *b;
    }
    out
}

impl VenueDynamic {
    /// The code a venue device shows at `now`.
    pub fn compute(secret: &[u8], venue: [u8; 16], now: u64) -> Self {
        let step = venue_step(now);
        Self {
            venue,
            step,
            tag: venue_tag(secret, &venue, step),
        }
    }

    /// Checks the code against the venue's secret at `now` (±1 step).
    ///
    /// # Errors
    /// [`VenueError::StepOutOfWindow`] or [`VenueError::BadTag`].
    pub fn check(&self, secret: &[u8], now: u64) -> Result<(), VenueError> {
        let current = venue_step(now);
        if self.step.abs_diff(current) > VENUE_STEP_TOLERANCE {
            return Err(VenueError::StepOutOfWindow {
                step: self.step,
                current,
            });
        }
        let expected = venue_tag(secret, &self.venue, self.step);
        // Constant-time comparison.
        let diff = expected
            .iter()
            .zip(&self.tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 {
            Ok(())
        } else {
            Err(VenueError::BadTag)
        }
    }
}
