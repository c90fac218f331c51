//! Annotated hex for SPEC.md and the vector files: one line per CBOR head, indented by
//! nesting, with what the head means.

/// Annotates one canonical CBOR item (best effort: stops at malformed input).
pub fn annotate(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pos = 0;
    item(bytes, &mut pos, 0, &mut out, None);
    out
}

fn head(bytes: &[u8], pos: &mut usize) -> Option<(u8, u64, usize)> {
    let start = *pos;
    let b = *bytes.get(start)?;
    let (major, ai) = (b >> 5, b & 0x1f);
    let n = match ai {
        0..=23 => 0,
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return None,
    };
    let arg = if n == 0 {
        u64::from(ai)
    } else {
        bytes
            .get(start + 1..start + 1 + n)?
            .iter()
            .fold(0u64, |a, &x| (a << 8) | u64::from(x))
    };
    *pos = start + 1 + n;
    Some((major, arg, start))
}

fn item(bytes: &[u8], pos: &mut usize, depth: usize, out: &mut Vec<String>, label: Option<String>) {
    let Some((major, arg, start)) = head(bytes, pos) else {
        return;
    };
    let head_hex = hex::encode(bytes.get(start..*pos).unwrap_or_default());
    let pad = "  ".repeat(depth);
    let label = label.map(|l| format!("{l}: ")).unwrap_or_default();
    let len = usize::try_from(arg).unwrap_or(usize::MAX);
    match major {
        0 => out.push(format!("{pad}{head_hex:<24} # {label}unsigned({arg})")),
        1 => out.push(format!("{pad}{head_hex:<24} # {label}negative(-1-{arg})")),
        2 | 3 => {
            let body = bytes.get(*pos..pos.saturating_add(len)).unwrap_or_default();
            *pos = pos.saturating_add(len);
            let what = if major == 2 {
                format!("bytes({len})")
            } else {
                format!("text({len}) {:?}", String::from_utf8_lossy(body))
            };
            let shown = if body.len() > 40 {
                format!("{}…", hex::encode(body.get(..40).unwrap_or_default()))
            } else {
                hex::encode(body)
            };
            out.push(format!("{pad}{head_hex} {shown:<21} # {label}{what}"));
        }
        4 => {
            out.push(format!("{pad}{head_hex:<24} # {label}array({arg})"));
            for i in 0..len.min(bytes.len()) {
                if i >= 8 {
                    out.push(format!(
                        "{pad}  …                        # {} more items",
                        len - 8
                    ));
                    for _ in i..len {
                        skip(bytes, pos);
                    }
                    break;
                }
                item(bytes, pos, depth + 1, out, None);
            }
        }
        5 => {
            out.push(format!("{pad}{head_hex:<24} # {label}map({arg})"));
            for _ in 0..len.min(bytes.len()) {
                let mut p = *pos;
                match head(bytes, &mut p) {
                    Some((0, key, kstart)) => {
                        let h = hex::encode(bytes.get(kstart..p).unwrap_or_default());
                        out.push(format!("{pad}  {h:<24} # key {key}"));
                        *pos = p;
                    }
                    _ => item(bytes, pos, depth + 1, out, Some("key".into())),
                }
                item(bytes, pos, depth + 2, out, None);
            }
        }
        6 => {
            out.push(format!("{pad}{head_hex:<24} # {label}tag({arg})"));
            item(bytes, pos, depth + 1, out, None);
        }
        _ => out.push(format!("{pad}{head_hex:<24} # {label}simple/float")),
    }
}

fn skip(bytes: &[u8], pos: &mut usize) {
    let mut sink = Vec::new();
    item(bytes, pos, 0, &mut sink, None);
}
