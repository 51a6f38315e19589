//! Text encodings exports arrive in: UTF-8 with or without a BOM, UTF-16
//! (Excel's "Unicode text"), and Windows-1252 (older Windows tools).

use std::io::{self, Read};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// How many bytes are looked at to guess the encoding and the layout.
pub const SNIFF_LEN: usize = 64 * 1024;

/// The encoding of a file, guessed from its first bytes.
pub fn sniff_encoding(prefix: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(prefix) {
        return encoding;
    }
    // UTF-16 without a BOM: ASCII text has a zero in every other byte.
    let pairs = prefix.len() / 2;
    if pairs >= 2 {
        let zero_high = prefix
            .chunks_exact(2)
            .filter(|p| p[1] == 0 && p[0] != 0)
            .count();
        let zero_low = prefix
            .chunks_exact(2)
            .filter(|p| p[0] == 0 && p[1] != 0)
            .count();
        if zero_high * 2 > pairs {
            return UTF_16LE;
        }
        if zero_low * 2 > pairs {
            return UTF_16BE;
        }
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => UTF_8,
        // The sniffed block may end inside a multi-byte character.
        Err(error) if error.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// The whole of a small file as text (JSON payloads, the sniffed block).
pub fn decode_all(bytes: &[u8], encoding: &'static Encoding) -> String {
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// A reader that yields UTF-8 whatever the file's encoding, dropping a BOM.
/// UTF-8 passes through untouched, so a bad byte later in the file is
/// reported by the CSV reader with its row instead of being replaced.
pub fn utf8_reader<R: Read>(reader: R, encoding: &'static Encoding) -> impl Read {
    DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .utf8_passthru(true)
        .strip_bom(true)
        .bom_override(true)
        .build(reader)
}

/// Reads up to [`SNIFF_LEN`] bytes, returning them and a reader that still
/// yields the whole file from its first byte.
pub fn read_prefix<R: Read>(mut reader: R) -> io::Result<(Vec<u8>, impl Read)> {
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    (&mut reader)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut prefix)?;
    let replay = io::Cursor::new(prefix.clone()).chain(reader);
    Ok((prefix, replay))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_recognised() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa,b"), UTF_8);
        assert_eq!(sniff_encoding(b"\xFF\xFEa\0,\0b\0"), UTF_16LE);
        assert_eq!(sniff_encoding(b"a\0,\0b\0\n\0"), UTF_16LE);
        assert_eq!(sniff_encoding(b"\0a\0,\0b\0\n"), UTF_16BE);
        assert_eq!(sniff_encoding("Zürich,1".as_bytes()), UTF_8);
        assert_eq!(sniff_encoding(b"Z\xfcrich,1"), WINDOWS_1252);
        // A block cut inside a two-byte character is still UTF-8.
        assert_eq!(sniff_encoding(&"aü".as_bytes()[..2]), UTF_8);
    }

    #[test]
    fn utf16_and_1252_become_utf8() {
        let mut text = String::new();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Név;Ü\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        utf8_reader(&utf16[..], sniff_encoding(&utf16))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "Név;Ü\n");
        let mut text = String::new();
        utf8_reader(&b"Caf\xe9"[..], WINDOWS_1252)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "Café");
    }
}

/// Makes line ends plain `\n` (from `\r\n` or a lone `\r`) and turns each
/// blank line into a line holding one space. The CSV reader skips blank
/// lines without counting them, which would put every later row number
/// off; as a one-space row, a blank line is counted, and reported as a
/// blank row.
pub struct LineEnds<R> {
    inner: R,
    input: Vec<u8>,
    /// Bytes ready to hand out, from `ready_at` on.
    ready: Vec<u8>,
    ready_at: usize,
    /// The last byte produced (`\n` at the start: the first line may be
    /// blank too).
    last: u8,
    pending_cr: bool,
    done: bool,
}

impl<R> std::fmt::Debug for LineEnds<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineEnds")
            .field("done", &self.done)
            .finish()
    }
}

impl<R: Read> LineEnds<R> {
    pub fn new(inner: R) -> Self {
        LineEnds {
            inner,
            input: vec![0; 64 * 1024],
            ready: Vec::with_capacity(130 * 1024),
            ready_at: 0,
            last: b'\n',
            pending_cr: false,
            done: false,
        }
    }

    fn newline(&mut self) {
        if self.last == b'\n' {
            self.ready.push(b' ');
        }
        self.ready.push(b'\n');
        self.last = b'\n';
    }

    fn refill(&mut self) -> io::Result<()> {
        self.ready.clear();
        self.ready_at = 0;
        while self.ready.is_empty() && !self.done {
            let read = self.inner.read(&mut self.input)?;
            if read == 0 {
                self.done = true;
                if std::mem::take(&mut self.pending_cr) {
                    self.newline();
                }
                break;
            }
            for index in 0..read {
                let byte = self.input[index];
                if std::mem::take(&mut self.pending_cr) {
                    self.newline();
                    if byte == b'\n' {
                        continue;
                    }
                }
                match byte {
                    b'\r' => self.pending_cr = true,
                    b'\n' => self.newline(),
                    other => {
                        self.ready.push(other);
                        self.last = other;
                    }
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.ready_at == self.ready.len() {
            self.refill()?;
        }
        let available = &self.ready[self.ready_at..];
        let take = available.len().min(out.len());
        out[..take].copy_from_slice(&available[..take]);
        self.ready_at += take;
        Ok(take)
    }
}

#[cfg(test)]
mod line_end_tests {
    use super::*;

    #[test]
    fn line_ends_become_newlines_and_blank_lines_a_space() {
        let mut text = String::new();
        LineEnds::new(&b"t\r\n\r\na,b\r\n1,2\r3,4\n\n"[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "t\n \na,b\n1,2\n3,4\n \n");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineEnds::new(
                &b"t\r\n\r\na,b\r\n1,2\r\n\"x\r\ny\",3\r\n\r\n4,5\r\n"[..],
            ));
        let lines: Vec<u64> = reader
            .records()
            .map(|r| r.unwrap().position().unwrap().line())
            .collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 7, 8]);
    }
}
