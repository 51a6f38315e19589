use std::fmt;

/// Where an input problem is, and what was expected there.
///
/// Rows are numbered as a spreadsheet shows them: the header is row 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SourceError {
    pub file: String,
    pub row: Option<u64>,
    /// Byte offset of the bad record, when the row number is not known yet
    /// (a chunk of a large file read in parallel); see [`Self::with_row`].
    pub byte_offset: Option<u64>,
    /// The n-th object (from 1) of a JSON payload, for payloads.
    pub record: Option<u32>,
    pub column: Option<String>,
    pub kind: SourceErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// The file could not be read at all (not found, not readable).
    Unreadable,
    /// The header lacks a required column or repeats one.
    Header,
    /// A value is not what its column needs.
    Value,
    /// A row contradicts an earlier row (two mappings that disagree).
    Conflict,
}

impl SourceError {
    pub fn new(file: &str, kind: SourceErrorKind, message: impl Into<String>) -> Self {
        SourceError {
            file: file.to_string(),
            row: None,
            byte_offset: None,
            record: None,
            column: None,
            kind,
            message: message.into(),
        }
    }

    pub fn at_row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    pub fn at_record(mut self, record: u64) -> Self {
        self.record = Some(u32::try_from(record).unwrap_or(u32::MAX));
        self
    }

    pub fn at_column(mut self, column: &str) -> Self {
        self.column = Some(column.to_string());
        self
    }

    pub(crate) fn at_byte(mut self, offset: u64) -> Self {
        self.byte_offset = Some(offset);
        self
    }

    /// Fills in the row from the byte offset, given a way to count the rows
    /// before that offset.
    pub fn with_row(mut self, row_at: impl FnOnce(u64) -> u64) -> Self {
        if self.row.is_none()
            && let Some(offset) = self.byte_offset
        {
            self.row = Some(row_at(offset));
        }
        self
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match (self.row, self.byte_offset) {
            (Some(row), _) => write!(f, ", row {row}")?,
            (None, Some(offset)) => write!(f, ", at byte {offset}")?,
            (None, None) => {}
        }
        if let Some(record) = self.record {
            write!(f, ", record {record}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column \"{column}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}
