//! QR text tests: hcx round trip, cap, prefix; the DCC chain including a zlib bomb.

use super::*;
use proptest::prelude::*;

#[test]
fn hcx_round_trip_and_prefix() {
    let cose = [0xd2, 0x84, 0x40, 0xa0, 0x41, 0x00, 0x40];
    let text = encode_hcx(&cose).unwrap();
    assert!(text.starts_with("HCX1:"));
    assert_eq!(text.len(), hcx_text_len(cose.len()));
    assert_eq!(decode_hcx(&text).unwrap(), cose);
    assert_eq!(decode_hcx("HC1:BB8"), Err(QrError::WrongPrefix));
    assert_eq!(decode_hcx("hcx1:BB8"), Err(QrError::WrongPrefix));
    assert_eq!(decode_hcx(" HCX1:BB8"), Err(QrError::WrongPrefix));
    assert_eq!(decode_hcx("BB8"), Err(QrError::WrongPrefix));
    assert!(matches!(decode_hcx("HCX1:bb8"), Err(QrError::Base45(_))));
    assert!(matches!(decode_hcx("HCX1:B"), Err(QrError::Base45(_))));
    assert_eq!(decode_hcx("HCX1:").unwrap(), Vec::<u8>::new());
}

#[test]
fn hcx_cap_is_qr_version_10_m() {
    assert_eq!(MAX_HCX_COSE_BYTES, 204);
    let fits = vec![0xabu8; MAX_HCX_COSE_BYTES];
    let text = encode_hcx(&fits).unwrap();
    assert!(text.len() <= MAX_HCX_TEXT_CHARS);
    assert_eq!(decode_hcx(&text).unwrap(), fits);
    let too_big = vec![0xabu8; MAX_HCX_COSE_BYTES + 1];
    assert_eq!(
        encode_hcx(&too_big),
        Err(QrError::TooLong { len: 313, max: 311 })
    );
    let long = format!("HCX1:{}", base45::encode(&too_big));
    assert_eq!(
        decode_hcx(&long),
        Err(QrError::TooLong { len: 313, max: 311 })
    );
    // The largest text really fits a version-10 symbol at level M.
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
    assert!(
        matches!(code.version(), qrcode::Version::Normal(v) if v <= 10),
        "{:?}",
        code.version()
    );
}

#[test]
fn dcc_chain() {
    let cose = vec![0xd2u8, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x41, 0x00, 0x40];
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&cose, 9);
    assert_eq!(z[0], dcc::ZLIB_FIRST_BYTE);
    let text = format!("HC1:{}", base45::encode(&z));
    assert_eq!(dcc::decode(&text).unwrap(), cose);
    // Uncompressed data passes through.
    assert_eq!(
        dcc::decode(&format!("HC1:{}", base45::encode(&cose))).unwrap(),
        cose
    );
    for bad in ["HC2:", "HL0:", "", "hc1:"] {
        let t = format!("{bad}{}", base45::encode(&z));
        assert_eq!(dcc::decode(&t), Err(QrError::WrongPrefix), "{bad}");
    }
    // A corrupt stream (bad Adler-32) and a truncated one.
    let mut bad = z.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(dcc::inflate(&bad), Err(QrError::Inflate));
    assert_eq!(dcc::inflate(&z[..z.len() - 5]), Err(QrError::Inflate));
    assert_eq!(dcc::inflate(&[0x78]), Err(QrError::Inflate));
    // A bomb: 1 MiB of zeros compresses to about 1 KiB and is stopped at the cap.
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 << 20], 10);
    assert_eq!(
        dcc::inflate(&bomb),
        Err(QrError::InflateTooLarge {
            limit: dcc::MAX_INFLATED_BYTES
        })
    );
    let exactly =
        miniz_oxide::deflate::compress_to_vec_zlib(&vec![1u8; dcc::MAX_INFLATED_BYTES], 6);
    assert_eq!(
        dcc::inflate(&exactly).unwrap().len(),
        dcc::MAX_INFLATED_BYTES
    );
    let long = format!("HC1:{}", "0".repeat(dcc::MAX_DCC_TEXT_CHARS));
    assert!(matches!(dcc::decode(&long), Err(QrError::TooLong { .. })));
}

proptest! {
    #[test]
    fn hcx_round_trip(cose in proptest::collection::vec(any::<u8>(), 0..=MAX_HCX_COSE_BYTES)) {
        let text = encode_hcx(&cose).unwrap();
        prop_assert_eq!(decode_hcx(&text).unwrap(), cose);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        let _ = decode_hcx(&s);
        let _ = dcc::decode(&s);
        let _ = decode_hcx(&format!("HCX1:{s}"));
        let _ = dcc::decode(&format!("HC1:{s}"));
    }

    #[test]
    fn arbitrary_zlib_never_panics(mut data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = dcc::inflate(&data);
        if let Some(b) = data.first_mut() {
            *b = 0x78;
        }
        let _ = dcc::decode(&format!("HC1:{}", base45::encode(&data)));
    }
}
