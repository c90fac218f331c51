//! Half-precision conversions and the shortest exact float encoding (RFC 8949 §4.2.1:
//! floats use the shortest of binary16/32/64 that preserves the value; NaN is 0xf97e00).

/// The encoding of `x` in its shortest exact form, head byte included.
pub(crate) fn encode_shortest(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(&[0xf9, 0x7e, 0x00]);
        return;
    }
    #[allow(clippy::cast_possible_truncation)] // exactness is checked on the next line
    let single = x as f32;
    if f64::from(single) == x || x.is_infinite() {
        if let Some(h) = f32_to_f16_exact(single) {
            out.push(0xf9);
            out.extend_from_slice(&h.to_be_bytes());
        } else {
            out.push(0xfa);
            out.extend_from_slice(&single.to_bits().to_be_bytes());
        }
    } else {
        out.push(0xfb);
        out.extend_from_slice(&x.to_bits().to_be_bytes());
    }
}

/// The binary16 bits for `f`, if binary16 represents `f` exactly.
fn f32_to_f16_exact(f: f32) -> Option<u16> {
    let b = f.to_bits();
    let sign = u16::try_from(b >> 31).ok()? << 15;
    let exp_field = (b >> 23) & 0xff;
    let mant = b & 0x7f_ffff;
    if exp_field == 0xff {
        // Infinity (NaN is handled by the caller).
        return (mant == 0).then_some(sign | 0x7c00);
    }
    if exp_field == 0 {
        // Zero stays zero; binary32 subnormals are far below binary16's range.
        return (mant == 0).then_some(sign);
    }
    let exp = i32::try_from(exp_field).ok()? - 127;
    if (-14..=15).contains(&exp) {
        if mant & 0x1fff != 0 {
            return None;
        }
        let e = u16::try_from(exp + 15).ok()?;
        let m = u16::try_from(mant >> 13).ok()?;
        return Some(sign | (e << 10) | m);
    }
    if (-24..-14).contains(&exp) {
        // Subnormal binary16: value = m * 2^-24 with m = significand * 2^(exp + 1 - 23 + 23).
        let significand = 0x80_0000 | mant;
        let shift = u32::try_from(-(exp + 1)).ok()?;
        if significand & ((1u32 << shift) - 1) != 0 {
            return None;
        }
        let m = u16::try_from(significand >> shift).ok()?;
        return (m < 0x400).then_some(sign | m);
    }
    None
}

/// The value of binary16 bits.
pub(crate) fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    let magnitude = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + mant / 1024.0) * 2f64.powi(exp - 15),
    };
    sign * magnitude
}
