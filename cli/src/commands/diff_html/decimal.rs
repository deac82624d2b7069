//! Exact arithmetic on the decimal amounts of a summary, which are written as text: the net change
//! of a currency is computed digit for digit, never through floating point.

/// A decimal as a whole number of units of `10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fixed {
    /// The value times `10^scale`.
    units: i128,
    /// Digits after the point.
    scale: u32,
}

/// `text` (`-12.50`, `7`, `+0.125`) as a [`Fixed`]; `None` when it is not a plain decimal or is
/// too large.
fn parse(text: &str) -> Option<Fixed> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut units: i128 = 0;
    for c in whole.chars().chain(fraction.chars()) {
        let digit = c.to_digit(10)?;
        units = units.checked_mul(10)?.checked_add(i128::from(digit))?;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    Some(Fixed {
        units: if negative { -units } else { units },
        scale,
    })
}

/// `value` with `scale` digits after the point (`scale` at least its own).
fn rescale(value: Fixed, scale: u32) -> Option<i128> {
    let factor = 10_i128.checked_pow(scale.checked_sub(value.scale)?)?;
    value.units.checked_mul(factor)
}

/// `after - before`, exactly, with the larger scale of the two and an explicit sign (`+5.00`,
/// `-0.125`, `0.00`); `None` when either is not a plain decimal or the result overflows.
pub(super) fn difference(after: &str, before: &str) -> Option<String> {
    let (after, before) = (parse(after)?, parse(before)?);
    let scale = after.scale.max(before.scale);
    let units = rescale(after, scale)?.checked_sub(rescale(before, scale)?)?;
    let digits = units.unsigned_abs().to_string();
    let places = usize::try_from(scale).ok()?;
    let digits = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = digits.split_at(digits.len() - places);
    let sign = match units.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    Some(if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    })
}

/// Whether `text` is a decimal equal to zero (`0`, `0.00`, `-0`).
pub(super) fn is_zero(text: &str) -> bool {
    parse(text).is_some_and(|value| value.units == 0)
}

/// `text` as a float, only to size a bar (0 when it is not a number).
pub(super) fn magnitude(text: &str) -> f64 {
    text.trim().parse::<f64>().map_or(0.0, f64::abs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_exact_and_keep_the_larger_scale() {
        assert_eq!(difference("10.10", "0.2").as_deref(), Some("+9.90"));
        assert_eq!(difference("0.1", "0.3").as_deref(), Some("-0.2"));
        assert_eq!(
            difference("100556.15", "100556.15").as_deref(),
            Some("0.00")
        );
        assert_eq!(difference("19874", "20000").as_deref(), Some("-126"));
        assert_eq!(difference("0.001", "0").as_deref(), Some("+0.001"));
        assert_eq!(
            difference("12345678901234567890.12", "0.01").as_deref(),
            Some("+12345678901234567890.11")
        );
        // Beyond 38 digits once aligned: no net rather than a wrong one.
        assert_eq!(
            difference(
                "79228162514264337593543950335",
                "0.0000000000000000000000000001"
            ),
            None
        );
        assert_eq!(difference("1e3", "1"), None);
        assert_eq!(difference("", "1"), None);
    }

    #[test]
    fn zero_and_magnitude() {
        assert!(is_zero("0") && is_zero("0.00") && is_zero("-0"));
        assert!(!is_zero("0.01") && !is_zero("abc"));
        assert!((magnitude("-12.5") - 12.5).abs() < f64::EPSILON);
        assert!(magnitude("n/a").abs() < f64::EPSILON);
    }
}
