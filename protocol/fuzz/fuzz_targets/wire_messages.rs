//! Fuzzes every wire message decoder (by the registry's type table) and offline QR
//! verification: typed errors only, and every accepted message re-encodes to the input.
#![no_main]

use hcx_protocol::wire::{registry, type_table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (_, name, _) in type_table() {
        if let Some(Ok(bytes)) = registry::decode_reencode(name, data) {
            assert_eq!(bytes, data, "{name} accepted a non-canonical encoding");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let trust = hcx_protocol::verify::TrustStore::new();
        let _ = hcx_protocol::verify::verify_qr_text(text, &trust, 1_790_000_000);
    }
});
