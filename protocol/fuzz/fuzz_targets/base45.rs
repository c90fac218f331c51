//! Fuzzes the strict base45 decoder: never panics; what it accepts re-encodes to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bytes) = hcx_protocol::base45::decode_bytes(data) {
        assert_eq!(hcx_protocol::base45::encode(&bytes).as_bytes(), data);
    }
});
