//! The cell formats every sheet shares, made once per workbook so the
//! workbook's style table stays small.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// Formats by role, not by look: sheets ask for "money", not for a pattern.
#[derive(Debug, Clone)]
pub(super) struct Formats {
    pub header: Format,
    /// A header over numbers, aligned with them.
    pub header_number: Format,
    pub title: Format,
    pub heading: Format,
    pub label: Format,
    pub label_number: Format,
    pub text: Format,
    /// Text that Excel would read as a formula if retyped (`=`, `+`, `-`,
    /// `@`): the quote prefix keeps it text even after a user edits it.
    pub quoted_text: Format,
    pub money: Format,
    pub money_total: Format,
    pub quantity: Format,
    pub count: Format,
    pub date: Format,
    pub datetime: Format,
}

impl Formats {
    pub fn new(currency: &str) -> Formats {
        let money_pattern = money_number_format(currency);
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin);
        // Numbers sit one indent in from the right edge, so they do not
        // touch the text of the column after them; their headers match.
        let number = Format::new().set_align(FormatAlign::Right).set_indent(1);
        Formats {
            header_number: header.clone().set_align(FormatAlign::Right).set_indent(1),
            header,
            title: Format::new().set_bold().set_font_size(16),
            heading: Format::new().set_bold().set_font_size(12),
            label: Format::new().set_bold(),
            label_number: number.clone().set_bold(),
            text: Format::new(),
            quoted_text: Format::new().set_quote_prefix(),
            money: number.clone().set_num_format(&money_pattern),
            money_total: number.clone().set_bold().set_num_format(&money_pattern),
            quantity: number.clone().set_num_format("General"),
            count: number.clone().set_num_format("#,##0"),
            date: number.clone().set_num_format("yyyy-mm-dd"),
            datetime: number.set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// The number format for money in `currency` (ISO 4217): a symbol for the
/// common three, the code itself for the rest, and negatives in red with a
/// minus so a reduction never reads as a charge.
pub(super) fn money_number_format(currency: &str) -> String {
    let amount = "#,##0.00";
    let (prefix, suffix) = match currency.trim().to_ascii_uppercase().as_str() {
        "USD" => ("$".to_string(), String::new()),
        "EUR" => ("€".to_string(), String::new()),
        "GBP" => ("£".to_string(), String::new()),
        other => {
            // Only letters and digits reach the pattern: a quote or a
            // semicolon in the code would change the format's meaning.
            let code: String = other
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(8)
                .collect();
            if code.is_empty() {
                (String::new(), String::new())
            } else {
                (String::new(), format!(" \"{code}\""))
            }
        }
    };
    format!("{prefix}{amount}{suffix};[Red]-{prefix}{amount}{suffix}")
}

/// How many characters a money amount takes when shown, for column widths.
pub(super) fn money_display_width(currency: &str, digits_before_point: usize) -> usize {
    let symbol = match currency.trim().to_ascii_uppercase().as_str() {
        "USD" | "EUR" | "GBP" => 1,
        other => other.len() + 1,
    };
    // sign + symbol + digits + thousands commas + ".00"
    1 + symbol + digits_before_point + digits_before_point.saturating_sub(1) / 3 + 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_follow_the_currency() {
        assert_eq!(money_number_format("USD"), "$#,##0.00;[Red]-$#,##0.00");
        assert_eq!(money_number_format("eur"), "€#,##0.00;[Red]-€#,##0.00");
        assert_eq!(money_number_format("GBP"), "£#,##0.00;[Red]-£#,##0.00");
        assert_eq!(
            money_number_format("CHF"),
            "#,##0.00 \"CHF\";[Red]-#,##0.00 \"CHF\""
        );
        assert_eq!(money_number_format(""), "#,##0.00;[Red]-#,##0.00");
        assert_eq!(
            money_number_format("X\";@"),
            "#,##0.00 \"X\";[Red]-#,##0.00 \"X\""
        );
    }
}
