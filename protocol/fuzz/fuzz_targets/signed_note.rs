//! Fuzzes C2SP signed-note, checkpoint and cosignature parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hcx_protocol::note::Note::parse(data);
    let _ = hcx_protocol::note::Cosignature::from_bytes(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hcx_protocol::note::Checkpoint::parse(text);
        let _ = hcx_protocol::note::VerifierKey::parse(text);
    }
});
