//! Decimals as text without going through `fmt`: the writers print
//! hundreds of thousands of them.

use rust_decimal::Decimal;

/// Appends `value` as `value.normalize()` displays it: no trailing zeros
/// (`2.5`, `-3`, `0`).
pub(crate) fn push_decimal(out: &mut Vec<u8>, value: Decimal) {
    let (mut mantissa, mut scale) = (value.mantissa(), value.scale());
    if mantissa == 0 {
        out.push(b'0');
        return;
    }
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa < 0 {
        out.push(b'-');
    }
    let magnitude = mantissa.unsigned_abs();
    if scale == 0 {
        push_integer(out, magnitude);
        return;
    }
    let divisor = 10u128.pow(scale);
    push_integer(out, magnitude / divisor);
    out.push(b'.');
    let mut digits = itoa::Buffer::new();
    let fraction = digits.format(magnitude % divisor);
    out.resize(out.len() + scale as usize - fraction.len(), b'0');
    out.extend_from_slice(fraction.as_bytes());
}

fn push_integer(out: &mut Vec<u8>, value: u128) {
    let mut digits = itoa::Buffer::new();
    let text = match u64::try_from(value) {
        Ok(small) => digits.format(small),
        Err(_) => digits.format(value),
    };
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn decimals_print_like_normalize_display() {
        for text in [
            "0",
            "-0",
            "0.000",
            "-0.00",
            "1",
            "-3",
            "2.50",
            "-2.5",
            "0.05",
            "-0.0050",
            "100",
            "1000.000",
            "12345678901234567890",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            let value = Decimal::from_str(text).expect("test literal");
            let mut out = Vec::new();
            push_decimal(&mut out, value);
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                value.normalize().to_string(),
                "{text}"
            );
        }
    }
}
