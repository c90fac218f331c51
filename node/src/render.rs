//! Renders a holder's QR text as an image: SVG (the `qrcode` crate's renderer) or PNG (the
//! module matrix written as an 8-bit greyscale image with the small `png` crate, which
//! avoids pulling in the whole `image` crate for one format).
//!
//! Codes are rendered at error-correction level M, the level hcx's size budget is set
//! for (a full code fits version 10 at M).

use qrcode::{Color, EcLevel, QrCode};

/// Why a text could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The text does not fit any QR version at level M.
    #[error("text too long for a QR code at level M")]
    TooLong,
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// Pixels per module in PNG output, and the quiet zone in modules.
const PNG_SCALE: usize = 8;
const QUIET_ZONE: usize = 4;

fn code(text: &str) -> Result<QrCode, RenderError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| RenderError::TooLong)
}

/// The QR version (1–40) `text` needs at level M.
pub fn version(text: &str) -> Result<i16, RenderError> {
    match code(text)?.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => Ok(v),
    }
}

/// `text` as an SVG document.
pub fn svg(text: &str) -> Result<String, RenderError> {
    Ok(code(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// `text` as a PNG image (greyscale, 8 pixels per module, 4-module quiet zone).
pub fn png(text: &str) -> Result<Vec<u8>, RenderError> {
    let qr = code(text)?;
    let modules = qr.width();
    let colors = qr.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * PNG_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
            for dy in 0..PNG_SCALE {
                let row = (my * PNG_SCALE + dy) * side + mx * PNG_SCALE;
                if let Some(run) = pixels.get_mut(row..row + PNG_SCALE) {
                    run.fill(0);
                }
            }
        }
    }
    let side_u32 = u32::try_from(side).map_err(|_| RenderError::TooLong)?;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side_u32, side_u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| RenderError::Png(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| RenderError::Png(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_svg_and_png() {
        let text = "HCX1:6BFOXN*TS0BI$ZDFRH";
        assert!(svg(text).unwrap().starts_with("<?xml"));
        let png = png(text).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(version(text).unwrap() <= 2);
        assert!(matches!(svg(&"A".repeat(5000)), Err(RenderError::TooLong)));
    }
}
