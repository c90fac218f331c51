//! Fuzzes the holder QR text (HCX1:) and the EU DCC chain (HC1:, base45, capped inflate).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hcx_protocol::qr::decode_hcx(text);
        let _ = hcx_protocol::qr::dcc::decode(text);
    }
    let _ = hcx_protocol::qr::dcc::inflate(data);
});
