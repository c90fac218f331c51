//! Fuzzes the sealed notice-reason decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hcx_protocol::seal::SealedBox::from_bytes(data);
});
