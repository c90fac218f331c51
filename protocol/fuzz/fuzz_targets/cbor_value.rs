//! Fuzzes the canonical CBOR decoder in both modes: it must never panic, and whatever the
//! strict mode accepts must re-encode to exactly the input.
#![no_main]

use hcx_protocol::cbor::{Limits, Mode, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::message(64 * 1024);
    let _ = Value::decode(data, Mode::WellFormed, limits);
    if let Ok(v) = Value::decode(data, Mode::Strict, limits) {
        assert_eq!(v.to_canonical(), data);
    }
});
