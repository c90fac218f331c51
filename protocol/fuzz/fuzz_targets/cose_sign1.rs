//! Fuzzes COSE_Sign1 parsing in both profiles: typed errors only, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    use hcx_protocol::cose::{Profile, Sign1};
    let _ = Sign1::parse(data, Profile::Hcx);
    let _ = Sign1::parse(data, Profile::Dcc);
});
